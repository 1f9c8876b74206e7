import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { actorName, type StaffIdentity } from './roles.js';

const SECRET_KEYS = /secret|password|token|private|^d$/i;

type Change = { before?: unknown; after?: unknown };

/** Every change made by staff (GraphQL or CLI): who, what, on what, before and after, secrets redacted. */
export async function recordStaffAction(db: pg.Pool | pg.PoolClient, identity: StaffIdentity, action: string, target: string | null, change: Change = {}): Promise<void> {
  await db.query('INSERT INTO staff_audit (actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5)', auditValues(identity, action, target, change));
}

/** The same record written inside a MikroORM transaction, so it commits or rolls back with the change it describes. */
export async function recordStaffActionIn(em: EntityManager, identity: StaffIdentity, action: string, target: string | null, change: Change = {}): Promise<void> {
  await em.getConnection().execute('INSERT INTO staff_audit (actor, action, target, before, after) VALUES (?, ?, ?, ?, ?)', auditValues(identity, action, target, change), 'run', em.getTransactionContext());
}

function auditValues(identity: StaffIdentity, action: string, target: string | null, change: Change): unknown[] {
  return [
    actorName(identity),
    action,
    target,
    change.before === undefined ? null : JSON.stringify(redact(change.before)),
    change.after === undefined ? null : JSON.stringify(redact(change.after)),
  ];
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Date) return value.toISOString();
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET_KEYS.test(key) ? '[redacted]' : redact(v)]));
}

export interface StaffAuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

/** The staff audit log, newest first, `first` rows older than row `before` (its id), with the matching total. */
export async function listStaffActions(
  pool: pg.Pool,
  filter: { actor?: string; action?: string; target?: string },
  page: { first: number; before?: string },
): Promise<{ rows: StaffAuditRow[]; totalCount: number; hasNextPage: boolean }> {
  const params: unknown[] = [];
  const conditions = (['actor', 'action', 'target'] as const).filter((key) => filter[key]).map((key) => `${key} = $${params.push(filter[key])}`);
  const count = pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff_audit ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}`, [...params]);
  if (page.before) conditions.push(`id < $${params.push(page.before)}`);
  params.push(page.first + 1);
  const rows = await pool.query<StaffAuditRow>(
    `SELECT id::text, at, actor, action, target, before, after FROM staff_audit ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return { rows: rows.rows.slice(0, page.first), totalCount: (await count).rows[0]!.n, hasNextPage: rows.rows.length > page.first };
}
