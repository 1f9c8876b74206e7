import type { Task } from 'graphile-worker';
import type pg from 'pg';
import type { AppContext } from '../context.js';

/** Months of `dci_transaction` partitions kept ready after the current one, so that an insert never finds its month missing. */
export const MONTHS_AHEAD = 2;

/** Creates the audit log's missing monthly partitions from `from`'s month to `MONTHS_AHEAD` months after it; returns their names. */
export async function ensureTransactionPartitions(pool: pg.Pool, from: Date = new Date()): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT dci_transaction_ensure_partitions($1::timestamptz, $1::timestamptz + make_interval(months => $2)) AS name`,
    [from, MONTHS_AHEAD],
  );
  return rows.map((r) => r.name);
}

/**
 * Drops the audit log's months that ended more than `retentionDays` before `now`: rows are kept at
 * least that long and go a whole month at a time (no row-by-row delete, no table bloat).
 */
export async function dropExpiredTransactionPartitions(pool: pg.Pool, retentionDays: number, now: Date = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const { rows } = await pool.query<{ name: string }>('SELECT dci_transaction_drop_partitions_before($1) AS name', [cutoff]);
  return rows.map((r) => r.name);
}

/** The hourly maintenance job: partitions ahead, and retention when AUDIT_RETENTION_DAYS is set. */
export function maintainTransactionPartitions(ctx: AppContext): Task {
  return async () => {
    const created = await ensureTransactionPartitions(ctx.db.pool);
    const dropped = ctx.config.auditRetentionDays === undefined ? [] : await dropExpiredTransactionPartitions(ctx.db.pool, ctx.config.auditRetentionDays);
    if (created.length || dropped.length) ctx.logger.info({ created, dropped, retentionDays: ctx.config.auditRetentionDays }, 'audit log partitions maintained');
  };
}
