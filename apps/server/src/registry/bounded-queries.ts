import { DciError } from '@dci-server/dci';
import type pg from 'pg';

export interface QueryBounds {
  /** PostgreSQL statement_timeout for each query (STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs: number;
  /** Aborted when nobody waits for the answer any more: the running query is cancelled. */
  signal?: AbortSignal;
}

const QUERY_CANCELED = '57014';

/**
 * Runs a request's queries on one connection, in a read-only snapshot (count and page agree)
 * whose statements time out after `statementTimeoutMs` (→ rjct.search.timeout). When `signal`
 * aborts, the running statement is cancelled and the connection discarded rather than pooled, so
 * a late cancel can never hit another request's query.
 */
export async function withBoundedQueries<T>(pool: pg.Pool, bounds: QueryBounds, work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const { signal, statementTimeoutMs } = bounds;
  signal?.throwIfAborted();
  const client = await pool.connect();
  let backendPid: number | undefined;
  let discard = false;
  const cancel = () => {
    discard = true;
    if (backendPid !== undefined) pool.query('SELECT pg_cancel_backend($1)', [backendPid]).catch(() => {});
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    // One round trip: the timeout is an integer we validated, so it can go in the text.
    const setup = (await client.query(
      `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${Math.floor(statementTimeoutMs)}; SELECT pg_backend_pid() AS pid`,
    )) as unknown as pg.QueryResult<{ pid: number }>[];
    backendPid = setup[2]!.rows[0]!.pid;
    signal?.throwIfAborted();
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    signal?.throwIfAborted(); // the client went away: that is what stopped the work
    if (!discard) await client.query('ROLLBACK').catch(() => (discard = true));
    if ((error as { code?: string }).code === QUERY_CANCELED) {
      throw new DciError('rjct.search.timeout', `The search took longer than ${statementTimeoutMs} ms (STATEMENT_TIMEOUT_MS): narrow the criteria, or use the async endpoint`);
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
    client.release(discard);
  }
}
