import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Label for calls whose sender is not known (no or a bad token). */
export const UNKNOWN_SENDER = 'unknown';
/** Label for known senders beyond METRICS_MAX_SENDERS. */
export const OTHER_SENDERS = 'other';

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface DciAnswer {
  endpoint: string;
  operation: string;
  httpStatus: number;
  senderId?: string;
  /** DCI error code of a refusal, from our catalogue. */
  code?: string;
  seconds: number;
}

/**
 * The process's Prometheus metrics (one registry per server, so tests may run several). Recording
 * is in-memory counting only; what needs the database is read at scrape time (`scrapeDatabase`).
 * Every label takes values from a fixed set: endpoints, operations, status codes, catalogue error
 * codes, outcomes; senders are registered sender ids, at most `maxSenders` of them, then `other`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly senderLabels = new Set<string>();

  private readonly dciRequests = new Counter({
    name: 'dci_requests_total',
    help: 'DCI requests answered, by endpoint, operation, HTTP status and sender',
    labelNames: ['endpoint', 'operation', 'status', 'sender'] as const,
    registers: [this.registry],
  });
  private readonly dciErrors = new Counter({
    name: 'dci_request_errors_total',
    help: 'DCI requests refused, by operation and DCI error code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  private readonly dciDuration = new Histogram({
    name: 'dci_request_duration_seconds',
    help: 'Time from the start of the DCI pipeline to the answer sent, by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (unmatched: other) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly deliveryAttempts = new Counter({
    name: 'dci_notification_attempts_total',
    help: 'Notification delivery attempts made by this process, by outcome (delivered, failed: will retry, dead: dead-lettered)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Filled in at scrape time (see scrapeDatabase). */
  readonly gauges = {
    poolConnections: new Gauge({
      name: 'dci_db_pool_connections',
      help: 'Database pool connections: total, idle, and requests waiting for one (pool: pg = hot path and jobs, orm = MikroORM)',
      labelNames: ['pool', 'state'] as const,
      registers: [this.registry],
    }),
    jobs: new Gauge({
      name: 'dci_job_queue_jobs',
      help: 'Background jobs by task and state (ready: due and waiting for a worker; scheduled: due later; locked: running; failed: out of attempts)',
      labelNames: ['task', 'state'] as const,
      registers: [this.registry],
    }),
    oldestReadyJob: new Gauge({
      name: 'dci_job_queue_oldest_ready_seconds',
      help: 'How long the oldest due job has been waiting for a worker (0 when none waits)',
      registers: [this.registry],
    }),
    deliveries: new Gauge({
      name: 'dci_notification_deliveries',
      help: 'Notification deliveries not yet delivered, by status (pending, failed: retrying, dead: dead letters)',
      labelNames: ['status'] as const,
      registers: [this.registry],
    }),
    senderKeyExpiry: new Gauge({
      name: 'dci_sender_key_expiry_seconds',
      help: "Seconds until an active sender's last valid signing key expires (senders with a key without end date are not listed; negative: expired)",
      labelNames: ['sender'] as const,
      registers: [this.registry],
    }),
    serverKeyAge: new Gauge({
      name: 'dci_server_active_key_age_seconds',
      help: 'Age of our active signing key (server keys do not expire; rotate by age)',
      registers: [this.registry],
    }),
    workerLastSeen: new Gauge({
      name: 'dci_worker_last_seen_seconds',
      help: 'Seconds since the most recent heartbeat of any background worker (absent: no worker has ever beaten)',
      registers: [this.registry],
    }),
    databaseScrape: new Gauge({
      name: 'dci_metrics_database_up',
      help: '1 when the database figures of this scrape were read, 0 when the database did not answer in time',
      registers: [this.registry],
    }),
  };

  constructor(private readonly maxSenders: number) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** One DCI answer sent (accepted or refused). */
  observeDciAnswer(answer: DciAnswer): void {
    const status = String(answer.httpStatus);
    this.dciRequests.inc({ endpoint: answer.endpoint, operation: answer.operation, status, sender: this.senderLabel(answer.senderId) });
    this.dciDuration.observe({ endpoint: answer.endpoint, status }, answer.seconds);
    if (answer.code) this.dciErrors.inc({ operation: answer.operation, code: answer.code });
  }

  observeHttp(method: string, route: string | undefined, status: number): void {
    this.httpRequests.inc({ method: HTTP_METHODS.has(method) ? method : 'other', route: route ?? 'other', status: String(status) });
  }

  observeDeliveryAttempt(outcome: 'delivered' | 'failed' | 'dead'): void {
    this.deliveryAttempts.inc({ outcome });
  }

  /** A registered sender's id while fewer than `maxSenders` have been labelled, then `other`. */
  senderLabel(senderId: string | undefined): string {
    if (!senderId) return UNKNOWN_SENDER;
    if (this.senderLabels.has(senderId)) return senderId;
    if (this.senderLabels.size >= this.maxSenders) return OTHER_SENDERS;
    this.senderLabels.add(senderId);
    return senderId;
  }
}
