/** Messages between scripts/bench.ts and its load client (scripts/bench/load-client.ts). */
export interface LoadJob {
  id: number;
  /** http://127.0.0.1:port/path: the load client refuses anything but loopback. */
  url: string;
  headers: Record<string, string>;
  /** One request body each; the run ends when they are used up or at the deadline. */
  bodies: string[];
  concurrency: number;
  maxMs: number;
  /** What a successful answer looks like. */
  check: 'search' | 'token';
}

export interface LoadResult {
  id: number;
  /** Milliseconds per request, in completion order. */
  latencies: number[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
}
