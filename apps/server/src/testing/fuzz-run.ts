import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { BodyEncoding } from './fuzz-arbitraries.js';

/** `npm run test:reliability` sets RELIABILITY_FULL=1: the fuzz tests then run ten times as many cases. */
export const RELIABILITY_FULL = process.env.RELIABILITY_FULL === '1';
export const fuzzRuns = (inNpmTest: number) => (RELIABILITY_FULL ? inNpmTest * 10 : inNpmTest);
/** Replays a failing run: fast-check prints the seed (and path) to pass here. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** The server runs in this process: its resident memory may grow with caches, never without bound. */
export const RSS_LIMIT_BYTES = 2 * 1024 ** 3;

export function assertMemoryBounded(): void {
  const rss = process.memoryUsage().rss;
  assert.ok(rss < RSS_LIMIT_BYTES, `RSS ${Math.round(rss / 1024 ** 2)} MiB is over ${RSS_LIMIT_BYTES / 1024 ** 2} MiB`);
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  text: string;
  encoding: BodyEncoding;
}

export interface FuzzAnswer {
  status: number;
  text: string;
  json?: unknown;
}

/** The bytes sent for `text` under `encoding`, and the Content-Encoding that goes with them. */
function encode(text: string, encoding: BodyEncoding): { body: Buffer | string; contentEncoding?: string } {
  switch (encoding) {
    case 'gzip':
      return { body: gzipSync(text), contentEncoding: 'gzip' };
    case 'deflate':
      return { body: deflateSync(text), contentEncoding: 'deflate' };
    case 'br':
      return { body: brotliCompressSync(text), contentEncoding: 'br' };
    case 'bad-gzip':
      return { body: gzipSync(text).subarray(0, 12), contentEncoding: 'gzip' };
    case 'utf16':
      return { body: Buffer.from(text, 'utf16le') };
    case 'truncated':
      return { body: text.slice(0, Math.floor(text.length / 2)) };
    case 'bom':
      return { body: `\ufeff${text}` };
    case 'not-json':
      return { body: `x${text}` };
    case 'plain':
      return { body: text };
  }
}

export async function send(baseUrl: string, request: FuzzRequest): Promise<FuzzAnswer> {
  const { body, contentEncoding } = encode(request.text, request.encoding);
  const headers = { ...request.headers, ...(contentEncoding ? { 'content-encoding': contentEncoding } : {}) };
  const res = await fetch(`${baseUrl}${request.path}`, { method: request.method, headers, body: request.method === 'GET' ? undefined : body, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The request and answer, cut to a readable size: what fast-check's report shows for a failing case. */
export function describe(request: FuzzRequest, answer?: FuzzAnswer): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s);
  return [
    `request: ${request.method} ${request.path} [${request.encoding}]`,
    `headers: ${JSON.stringify(request.headers)}`,
    `body: ${cut(request.text, 2000)}`,
    ...(answer ? [`answer: ${answer.status} ${cut(answer.text, 1000)}`] : []),
  ].join('\n');
}

/** Tallies across a run, for the closing diagnostic. */
export class FuzzTally {
  cases = 0;
  serverErrors = 0;
  readonly statuses = new Map<number, number>();

  count(answer: FuzzAnswer): void {
    this.cases++;
    if (answer.status >= 500) this.serverErrors++;
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
  }

  toString(): string {
    const statuses = [...this.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    return `${this.cases} cases, ${this.serverErrors} answers 5xx; statuses ${statuses}; RSS ${Math.round(process.memoryUsage().rss / 1024 ** 2)} MiB`;
  }
}

/** After a run: the server still answers, and its memory stayed bounded. */
export async function assertStillServing(baseUrl: string): Promise<void> {
  assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
  assertMemoryBounded();
}
