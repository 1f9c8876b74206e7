import type { IncomingHttpHeaders } from 'node:http';
import type pg from 'pg';
import type { StaffIdentity } from './roles.js';
import { apiTokenIdentity, sessionIdentity } from './staff-tokens.js';

export const SESSION_COOKIE = 'dci_session';

/**
 * Who is asking: a console session cookie or an integrator's `Authorization: Bearer dcis_…`.
 * Anything else (a sender's DCI access token included) is nobody. Used by /graphql and the
 * staff's plain HTTP routes (exports) alike.
 */
export async function staffIdentityOf(pool: pg.Pool, headers: IncomingHttpHeaders): Promise<{ staff?: StaffIdentity; sessionToken?: string }> {
  const bearer = /^Bearer (\S+)$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer) return { staff: await apiTokenIdentity(pool, bearer) };
  const sessionToken = readCookie(headers.cookie, SESSION_COOKIE);
  return { staff: sessionToken ? await sessionIdentity(pool, sessionToken) : undefined, sessionToken };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
