/**
 * The load generator of `npm run bench`, in a child process of its own so that the client's
 * work (HTTP, JSON parsing) does not share an event loop with the server it measures. It only
 * talks to the loopback URL it is given, sends at most the bodies it is given, stops at the
 * deadline, and exits when its parent goes away.
 */
import http from 'node:http';
import type { LoadJob, LoadResult } from './protocol.js';

const REQUEST_TIMEOUT_MS = 15_000;

function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Why an answer does not count as a success, or undefined when it does. */
function problem(check: LoadJob['check'], status: number, text: string): string | undefined {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 300)}`;
  try {
    const body = JSON.parse(text) as { access_token?: unknown; message?: { search_response?: { status?: string }[] } };
    if (check === 'token') return typeof body.access_token === 'string' ? undefined : `no access_token: ${text.slice(0, 300)}`;
    const items = body.message?.search_response ?? [];
    return items.length && items.every((i) => i.status === 'succ') ? undefined : `search item not succ: ${text.slice(0, 300)}`;
  } catch (error) {
    return `unreadable answer: ${(error as Error).message}`;
  }
}

async function run(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`the load client only talks to 127.0.0.1, not ${url.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const deadline = started + job.maxMs;
  const client = async () => {
    while (next < job.bodies.length && performance.now() < deadline) {
      const body = job.bodies[next++]!;
      const t = performance.now();
      let why: string | undefined;
      try {
        const { status, text } = await post(agent, url, job.headers, body);
        why = problem(job.check, status, text);
      } catch (error) {
        why = (error as Error).message;
      }
      latencies.push(performance.now() - t);
      if (why) {
        errors++;
        firstError ??= why;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { id: job.id, latencies, errors, firstError, elapsedMs };
}

process.on('disconnect', () => process.exit(0));
process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.(result),
    (error: Error) => process.send?.({ id: job.id, latencies: [], errors: job.bodies.length, firstError: error.message, elapsedMs: 0 } satisfies LoadResult),
  );
});
process.send?.('ready');
