/** The spec's `components.responses.Response` acknowledgement body. */
export interface DciAck {
  message: {
    ack_status: 'ACK' | 'NACK';
    timestamp: string;
    correlation_id: string;
  };
}

export function ackBody(correlationId: string, options: { status?: 'ACK' | 'NACK'; now?: Date } = {}): DciAck {
  return {
    message: {
      ack_status: options.status ?? 'ACK',
      timestamp: (options.now ?? new Date()).toISOString(),
      correlation_id: correlationId,
    },
  };
}
