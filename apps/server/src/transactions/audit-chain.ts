import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Tamper evidence for the audit log. Each dci_transaction row is sealed after it commits: it gets
 * the next `chain_seq`, the previous row's hash (`chain_prev`) and its own hash over that and its
 * content (`chain_hash`). Sealing after commit, one sealer at a time (an advisory lock), keeps the
 * chain's order true with any number of concurrent writers and servers, and costs the request path
 * nothing. Changing, removing or inserting a sealed row breaks a link that `verifyAuditChain` finds,
 * unless the attacker rewrites every later hash too: keep the head (`audit verify` prints it)
 * somewhere else to catch that.
 */

const GENESIS = '0'.repeat(64);
/** pg_advisory lock key of the sealer ('dcichain' as ASCII). */
const SEALER_LOCK = '7233184326389034350';

/** The columns a row's hash covers: all written once, as text exactly as stored (jsonb's text form is canonical). */
const SEALED_CONTENT = `id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
  transaction_id, message_id, correlation_id, sender_id, operation, endpoint, request::text AS request, request_sha256,
  response::text AS response, http_status, dci_status, reason_code, duration_ms, client_address`;

interface SealedContent {
  id: string;
  created_at: string;
  transaction_id: string | null;
  message_id: string | null;
  correlation_id: string | null;
  sender_id: string | null;
  operation: string;
  endpoint: string;
  request: string | null;
  request_sha256: string | null;
  response: string | null;
  http_status: number;
  dci_status: string;
  reason_code: string | null;
  duration_ms: number;
  client_address: string | null;
}

function linkHash(prev: string, row: SealedContent): string {
  const content = JSON.stringify([
    row.id, row.created_at, row.transaction_id, row.message_id, row.correlation_id, row.sender_id, row.operation, row.endpoint,
    row.request, row.request_sha256, row.response, row.http_status, row.dci_status, row.reason_code, row.duration_ms, row.client_address,
  ]);
  return createHash('sha256').update(`${prev}\n${content}`).digest('hex');
}

/** Seals up to `batchSize` committed rows onto the chain; returns how many. 0 when another sealer holds the lock. */
export async function sealAuditChain(pool: pg.Pool, batchSize = 5000): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [SEALER_LOCK]);
    if (!locked[0]!.ok) {
      await client.query('ROLLBACK');
      return 0;
    }
    const { rows: heads } = await client.query<{ chain_seq: string; chain_hash: string }>(
      'SELECT chain_seq, chain_hash FROM dci_transaction WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1',
    );
    const { rows } = await client.query<SealedContent>(`SELECT ${SEALED_CONTENT} FROM dci_transaction WHERE chain_seq IS NULL ORDER BY created_at, id LIMIT $1`, [batchSize]);
    let seq = BigInt(heads[0]?.chain_seq ?? 0);
    let prev = heads[0]?.chain_hash ?? GENESIS;
    const seals = rows.map((row) => {
      seq += 1n;
      const link = { id: row.id, seq: String(seq), prev, hash: linkHash(prev, row) };
      prev = link.hash;
      return link;
    });
    if (rows.length) {
      await client.query(
        `UPDATE dci_transaction t SET chain_seq = s.seq, chain_prev = s.prev, chain_hash = s.hash
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS s(id, seq, prev, hash) WHERE t.id = s.id`,
        [seals.map((s) => s.id), seals.map((s) => s.seq), seals.map((s) => s.prev), seals.map((s) => s.hash)],
      );
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Seals until nothing committed is left unsealed (bounded: rows arriving meanwhile wait for the next round). */
export async function sealAll(pool: pg.Pool, maxRounds = 1000): Promise<number> {
  let total = 0;
  for (let round = 0; round < maxRounds; round++) {
    const sealed = await sealAuditChain(pool);
    total += sealed;
    if (sealed === 0) break;
  }
  return total;
}

type SealedRow = SealedContent & { chain_seq: string; chain_prev: string; chain_hash: string };

export interface ChainBreak {
  seq: string;
  id: string | null;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  verified: number;
  /** Where the chain starts: 1, or later when old rows were removed by retention (the first row's own link is then trusted). */
  firstSeq: string | null;
  head: { seq: string; hash: string } | null;
  unsealed: number;
  oldestUnsealedAt: string | null;
  firstBreak: ChainBreak | null;
}

/**
 * Walks the chain in order and reports the first broken link: a row whose content no longer gives
 * its hash, a row whose `chain_prev` is not its predecessor's hash, or missing sequence numbers
 * (removed rows). With `anchor`, the row at that seq must still carry that hash.
 */
export async function verifyAuditChain(pool: pg.Pool, options: { anchor?: { seq: string; hash: string }; pageSize?: number } = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
  const { rows: pending } = await pool.query<{ n: number; oldest: Date | null }>('SELECT count(*)::int AS n, min(created_at) AS oldest FROM dci_transaction WHERE chain_seq IS NULL');
  const report: ChainReport = { ok: true, verified: 0, firstSeq: null, head: null, unsealed: pending[0]!.n, oldestUnsealedAt: pending[0]!.oldest?.toISOString() ?? null, firstBreak: null };
  const broken = (brk: ChainBreak) => ((report.ok = false), (report.firstBreak = brk), report);

  let expectedSeq: bigint | null = null;
  let prevHash: string | null = null;
  let anchorSeen = false;
  for (;;) {
    const after: string = expectedSeq === null ? '0' : String(expectedSeq - 1n);
    const { rows } = await pool.query<SealedRow>(
      `SELECT ${SEALED_CONTENT}, chain_seq, chain_prev, chain_hash FROM dci_transaction
       WHERE chain_seq IS NOT NULL AND chain_seq > $1::bigint ORDER BY chain_seq LIMIT $2`,
      [after, pageSize],
    );
    for (const row of rows) {
      const seq: bigint = BigInt(row.chain_seq);
      if (expectedSeq === null) {
        report.firstSeq = row.chain_seq;
        if (seq === 1n && row.chain_prev !== GENESIS) return broken({ seq: row.chain_seq, id: row.id, reason: 'the first row does not start from the genesis hash' });
      } else if (seq !== expectedSeq) {
        return broken({ seq: String(expectedSeq), id: null, reason: seq < expectedSeq ? `sequence ${row.chain_seq} appears twice` : `rows ${expectedSeq}…${seq - 1n} are missing` });
      } else if (row.chain_prev !== prevHash) {
        return broken({ seq: row.chain_seq, id: row.id, reason: 'its link to the previous row does not match that row’s hash' });
      }
      if (linkHash(row.chain_prev, row) !== row.chain_hash) return broken({ seq: row.chain_seq, id: row.id, reason: 'its content was changed after it was sealed' });
      if (options.anchor && options.anchor.seq === row.chain_seq) {
        if (options.anchor.hash !== row.chain_hash) return broken({ seq: row.chain_seq, id: row.id, reason: 'it no longer carries the anchored hash (the chain was rewritten)' });
        anchorSeen = true;
      }
      report.verified += 1;
      report.head = { seq: row.chain_seq, hash: row.chain_hash };
      prevHash = row.chain_hash;
      expectedSeq = seq + 1n;
    }
    if (rows.length < pageSize) break;
  }
  if (options.anchor && !anchorSeen) return broken({ seq: options.anchor.seq, id: null, reason: 'the anchored row is no longer in the chain' });
  return report;
}

/** The sealer's loop in a worker process: every `intervalMs`, seal what committed since. */
export function startAuditSealer(pool: pg.Pool, onError: (error: unknown) => void, intervalMs = 1000): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sealAll(pool, 20)
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
