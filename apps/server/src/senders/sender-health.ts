import type pg from 'pg';

/** Sender keys (not revoked) whose validity ends within `days`: the sender must register a new one. */
export async function expiringSenderKeys(pool: pg.Pool, days: number): Promise<{ senderId: string; keyId: string; notAfter: Date }[]> {
  const { rows } = await pool.query<{ senderId: string; keyId: string; notAfter: Date }>(
    `SELECT s.sender_id AS "senderId", k.key_id AS "keyId", k.not_after AS "notAfter"
     FROM sender_key k JOIN sender s ON s.id = k.sender_id
     WHERE NOT k.revoked AND k.not_after IS NOT NULL AND k.not_after < now() + make_interval(days => $1) ORDER BY k.not_after`,
    [days],
  );
  return rows;
}

/** Active senders whose requests may come unsigned: a risk staff should see at a glance. */
export async function unsignedSenders(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ sender_id: string }>('SELECT sender_id FROM sender WHERE allow_unsigned AND active ORDER BY sender_id');
  return rows.map((r) => r.sender_id);
}
