import type pg from 'pg';

export interface UsageWindow {
  from: Date;
  to: Date;
  /** Width of a time bucket, in minutes. */
  bucketMinutes: number;
  senderId?: string;
}

export interface UsageBucket {
  bucketStart: Date;
  operation: string;
  dciStatus: string;
  httpStatus: number;
  count: number;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

function scope(window: UsageWindow): { sql: string; params: unknown[] } {
  const params: unknown[] = [window.from, window.to];
  let sql = 'created_at >= $1 AND created_at < $2';
  if (window.senderId) sql += ` AND sender_id = $${params.push(window.senderId)}`;
  return { sql, params };
}

/** DCI requests per time bucket, by operation and outcome (the dashboard's and a sender's usage chart). */
export async function requestBuckets(pool: pg.Pool, window: UsageWindow): Promise<UsageBucket[]> {
  const { sql, params } = scope(window);
  params.push(window.bucketMinutes * 60);
  const { rows } = await pool.query<UsageBucket>(
    `SELECT to_timestamp(floor(extract(epoch FROM created_at) / $${params.length}) * $${params.length}) AS "bucketStart",
            operation, dci_status AS "dciStatus", http_status AS "httpStatus", count(*)::int AS count
     FROM dci_transaction WHERE ${sql} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    params,
  );
  return rows;
}

/** Requests, refusals (4xx/5xx) and latency percentiles over the window. */
export async function requestTotals(pool: pg.Pool, window: UsageWindow): Promise<UsageTotals> {
  const { sql, params } = scope(window);
  const { rows } = await pool.query<UsageTotals>(
    `SELECT count(*)::int AS requests, count(*) FILTER (WHERE http_status >= 400)::int AS errors,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS "p50Ms", percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS "p95Ms"
     FROM dci_transaction WHERE ${sql}`,
    params,
  );
  return rows[0]!;
}

/** The senders with the most requests in the window. */
export async function topSenders(pool: pg.Pool, window: UsageWindow, limit = 10): Promise<{ senderId: string; requests: number; errors: number }[]> {
  const { sql, params } = scope(window);
  params.push(limit);
  const { rows } = await pool.query<{ senderId: string; requests: number; errors: number }>(
    `SELECT sender_id AS "senderId", count(*)::int AS requests, count(*) FILTER (WHERE http_status >= 400)::int AS errors
     FROM dci_transaction WHERE ${sql} AND sender_id IS NOT NULL GROUP BY sender_id ORDER BY requests DESC, sender_id LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** Async requests ACKed whose callback has not been completed yet. */
export async function asyncBacklog(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dci_transaction WHERE async_status IN ('pending', 'answered')`);
  return rows[0]!.n;
}
