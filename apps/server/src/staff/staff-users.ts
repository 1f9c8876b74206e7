import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../database.js';
import { hashSecret, verifySecret } from '../senders/client-secrets.js';
import { isStaffRole, STAFF_ROLES, type StaffIdentity, type StaffRole } from './roles.js';

/** A staff-management request refused for a reason the caller can fix. */
export class StaffError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface StaffUserRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  active: boolean;
  createdAt: Date;
}

const COLUMNS = 'id, email, name, role, active, created_at AS "createdAt"';

/** A new staff account with a generated password, returned once (stored as an scrypt hash). */
export async function createStaffUser(pool: pg.Pool, input: { email: string; name?: string; role: string }): Promise<{ user: StaffUserRow; password: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) throw new StaffError(`not an email address: ${input.email}`, 'email');
  if (!isStaffRole(input.role)) throw new StaffError(`unknown role ${input.role}: use ${STAFF_ROLES.join(', ')}`, 'role');
  const password = randomBytes(18).toString('base64url');
  const { rows } = await pool.query<StaffUserRow>(
    `INSERT INTO staff_user (id, email, name, password_hash, role, active, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, true, now(), now()) ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
    [email, input.name?.trim() || email, await hashSecret(password), input.role],
  );
  if (!rows[0]) throw new StaffError(`a staff user ${email} exists already`, 'email');
  return { user: rows[0], password };
}

export async function listStaffUsers(pool: pg.Pool): Promise<StaffUserRow[]> {
  return (await pool.query<StaffUserRow>(`SELECT ${COLUMNS} FROM staff_user ORDER BY email`)).rows;
}

export interface LoginPolicy {
  maxFailures: number;
  lockoutSeconds: number;
}

/**
 * Email + password. After `maxFailures` wrong passwords in a row the account is locked for
 * `lockoutSeconds`; during the lock even the right password is refused. Same answer for an
 * unknown email and a wrong password.
 */
export async function checkPassword(pool: pg.Pool, email: string, password: string, policy: LoginPolicy): Promise<StaffIdentity> {
  const { rows } = await pool.query<{ id: string; email: string; role: StaffRole; active: boolean; password_hash: string; locked_until: Date | null }>(
    'SELECT id, email, role, active, password_hash, locked_until FROM staff_user WHERE email = $1',
    [email.trim().toLowerCase()],
  );
  const user = rows[0];
  if (user?.locked_until && user.locked_until > new Date()) throw new StaffError('too many failed sign-ins: this account is locked for a while');
  if (!user || !user.active || !(await verifySecret(password, user.password_hash))) {
    if (user) {
      await pool.query(
        `UPDATE staff_user SET failed_logins = failed_logins + 1,
           locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) END WHERE id = $1`,
        [user.id, policy.maxFailures, policy.lockoutSeconds],
      );
    }
    throw new StaffError('wrong email or password');
  }
  await pool.query('UPDATE staff_user SET failed_logins = 0, locked_until = NULL WHERE id = $1', [user.id]);
  return { userId: user.id, email: user.email, role: user.role, via: 'session' };
}

/**
 * Changes a staff account's role or active flag. Sessions and tokens check both on every request, so
 * a change applies at once. The last active admin cannot be demoted or deactivated.
 */
export async function updateStaffUser(pool: pg.Pool, email: string, changes: { role?: string; active?: boolean }): Promise<StaffUserRow> {
  if (changes.role !== undefined && !isStaffRole(changes.role)) throw new StaffError(`unknown role ${changes.role}: use ${STAFF_ROLES.join(', ')}`, 'role');
  return withTransaction(pool, async (client) => {
    // One change of admins at a time, so two admins cannot demote each other to none.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('dci-server:staff-admins'))");
    const { rows } = await client.query<StaffUserRow>(
      `UPDATE staff_user SET role = coalesce($2, role), active = coalesce($3, active), updated_at = now() WHERE email = $1 RETURNING ${COLUMNS}`,
      [email.trim().toLowerCase(), changes.role ?? null, changes.active ?? null],
    );
    if (!rows[0]) throw new StaffError(`no staff user ${email}`, 'email');
    const admins = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff_user WHERE role = 'admin' AND active`);
    if (admins.rows[0]!.n === 0) throw new StaffError('this would leave no active admin: make someone else admin first', 'role');
    return rows[0];
  });
}
