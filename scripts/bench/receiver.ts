/** A loopback callback endpoint for the notification benchmark that notes when each POST arrived. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  at: number; // Date.now() when the body was complete
  body: { message?: { transaction_id?: string; notify_event?: { reference_id?: string; timestamp?: string }[] } };
}

export async function startTimedReceiver() {
  const receipts: Receipt[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Receipt['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Receipt['body'];
      } catch {
        // counted, but without a key it cannot match an expected delivery
      }
      receipts.push({ at: Date.now(), body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":{"ack_status":"ACK"}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    receipts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The key a receiver may dedupe on: (subscription code, event id). */
export const deliveryKey = (r: Receipt) => `${r.body.message?.transaction_id ?? '?'}|${r.body.message?.notify_event?.[0]?.reference_id ?? '?'}`;
