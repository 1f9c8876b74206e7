import type pg from 'pg';

export interface DeliveryCounts {
  pending: number;
  failed: number;
  dead: number;
}

/** Notification deliveries waiting (pending or batched for a digest), failing (will retry) and dead-lettered. */
export async function deliveryCounts(pool: pg.Pool): Promise<DeliveryCounts> {
  const { rows } = await pool.query<DeliveryCounts>(
    `SELECT count(*) FILTER (WHERE status IN ('pending', 'batched'))::int AS pending,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'dead')::int AS dead
     FROM notification_delivery WHERE status IN ('pending', 'batched', 'failed', 'dead')`,
  );
  return rows[0]!;
}
