import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { isStaffRole, STAFF_ROLES, type StaffIdentity, type StaffRole } from './roles.js';
import { StaffError } from './staff-users.js';

/**
 * Console sessions and integrators' API tokens. Both are random values handed out once and
 * stored as SHA-256 hashes (they are long and random, so a slow hash adds nothing).
 */
const API_TOKEN_PREFIX = 'dcis_';
const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function createSession(pool: pg.Pool, userId: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const { rows } = await pool.query<{ expires_at: Date }>(
    'INSERT INTO staff_session (token_hash, staff_user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at',
    [hash(token), userId, ttlSeconds],
  );
  // Expired sessions are of no use to anyone: tidy them when a new one starts.
  await pool.query('DELETE FROM staff_session WHERE expires_at < now()');
  return { token, expiresAt: rows[0]!.expires_at };
}

export async function sessionIdentity(pool: pg.Pool, token: string): Promise<StaffIdentity | undefined> {
  const { rows } = await pool.query<{ id: string; email: string; role: StaffRole }>(
    `SELECT u.id, u.email, u.role FROM staff_session s JOIN staff_user u ON u.id = s.staff_user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`,
    [hash(token)],
  );
  const user = rows[0];
  return user && { userId: user.id, email: user.email, role: user.role, via: 'session' };
}

export async function endSession(pool: pg.Pool, token: string): Promise<void> {
  await pool.query('DELETE FROM staff_session WHERE token_hash = $1', [hash(token)]);
}

export interface NewApiToken {
  email: string;
  name: string;
  /** At most the user's own role; default: the user's role. */
  role?: string;
  expiresAt?: Date;
}

/** A personal API token for scripts (`Authorization: Bearer dcis_…` on /graphql), shown once. */
export async function createApiToken(pool: pg.Pool, input: NewApiToken): Promise<{ id: string; token: string; role: StaffRole; expiresAt: Date | null }> {
  const { rows: users } = await pool.query<{ id: string; role: StaffRole }>('SELECT id, role FROM staff_user WHERE email = $1 AND active', [input.email.trim().toLowerCase()]);
  const user = users[0];
  if (!user) throw new StaffError(`no active staff user ${input.email}`, 'email');
  const role = input.role ?? user.role;
  if (!isStaffRole(role)) throw new StaffError(`unknown role ${role}: use ${STAFF_ROLES.join(', ')}`, 'role');
  if (user.role !== 'admin' && role !== user.role && role !== 'auditor') throw new StaffError(`a token cannot have more rights than its user (${user.role})`, 'role');
  if (input.expiresAt && input.expiresAt <= new Date()) throw new StaffError('expiresAt must be in the future', 'expiresAt');
  const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await pool.query<{ id: string }>('INSERT INTO staff_api_token (token_hash, staff_user_id, name, role, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
    hash(token),
    user.id,
    input.name,
    role,
    input.expiresAt ?? null,
  ]);
  return { id: rows[0]!.id, token, role, expiresAt: input.expiresAt ?? null };
}

export async function apiTokenIdentity(pool: pg.Pool, token: string): Promise<StaffIdentity | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
  const { rows } = await pool.query<{ id: string; user_id: string; email: string; role: StaffRole }>(
    `UPDATE staff_api_token t SET last_used_at = now() FROM staff_user u
     WHERE t.token_hash = $1 AND u.id = t.staff_user_id AND u.active AND NOT t.revoked AND (t.expires_at IS NULL OR t.expires_at > now())
     RETURNING t.id, u.id AS user_id, u.email, t.role`,
    [hash(token)],
  );
  const row = rows[0];
  return row && { userId: row.user_id, email: row.email, role: row.role, via: 'token', tokenId: row.id };
}

export interface ApiTokenRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revoked: boolean;
}

/** API tokens (never the token itself): one user's, or everyone's when `email` is undefined. */
export async function listApiTokens(pool: pg.Pool, email?: string): Promise<ApiTokenRow[]> {
  const { rows } = await pool.query<ApiTokenRow>(
    `SELECT t.id, u.email, t.name, t.role, t.created_at AS "createdAt", t.expires_at AS "expiresAt", t.last_used_at AS "lastUsedAt", t.revoked
     FROM staff_api_token t JOIN staff_user u ON u.id = t.staff_user_id WHERE $1::text IS NULL OR u.email = $1 ORDER BY t.created_at DESC`,
    [email ?? null],
  );
  return rows;
}

/** Stops a token at once. Only its owner or an admin may (`ownerEmail` undefined: an admin). */
export async function revokeApiToken(pool: pg.Pool, id: string, ownerEmail?: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new StaffError(`no API token ${id}`, 'id');
  const { rowCount } = await pool.query(
    `UPDATE staff_api_token t SET revoked = true FROM staff_user u WHERE t.id = $1 AND u.id = t.staff_user_id AND ($2::text IS NULL OR u.email = $2)`,
    [id, ownerEmail ?? null],
  );
  if (!rowCount) throw new StaffError(`no API token ${id}`, 'id');
}
