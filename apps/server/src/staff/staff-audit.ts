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
