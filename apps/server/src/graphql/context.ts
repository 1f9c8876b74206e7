import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import type { AppContext } from '../context.js';
import type { StaffIdentity, StaffRole } from '../staff/roles.js';
import { apiTokenIdentity, sessionIdentity } from '../staff/staff-tokens.js';

export const SESSION_COOKIE = 'dci_session';

/** Per-request: the server, who is asking (if anyone), and the response (login/logout set the cookie). */
export interface GraphqlContext {
  app: AppContext;
  staff?: StaffIdentity;
  sessionToken?: string;
  res: Response;
}

/** Roles allowed on reads, on configuration changes, and on what only an admin may touch. */
export const READ: StaffRole[] = ['admin', 'operator', 'auditor'];
export const MANAGE: StaffRole[] = ['admin', 'operator'];
export const ADMIN: StaffRole[] = ['admin'];

/**
 * A console session cookie or an integrator's `Authorization: Bearer dcis_…`. Anything else
 * (a sender's DCI access token included) leaves the request anonymous.
 */
export async function graphqlContext(app: AppContext, req: Request, res: Response): Promise<GraphqlContext> {
  const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return { app, res, staff: await apiTokenIdentity(app.db.pool, bearer) };
  const sessionToken = readCookie(req.headers.cookie, SESSION_COOKIE);
  const staff = sessionToken ? await sessionIdentity(app.db.pool, sessionToken) : undefined;
  return { app, res, staff, sessionToken };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** `@Authorized(...roles)`: anonymous → UNAUTHENTICATED, a role not listed → FORBIDDEN. */
export const authChecker: AuthChecker<GraphqlContext, StaffRole> = ({ context }, roles) => {
  if (!context.staff) throw new GraphQLError('sign in, or send an API token as Authorization: Bearer', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  if (roles.length && !roles.includes(context.staff.role)) throw new GraphQLError(`the ${context.staff.role} role may not do this`, { extensions: { code: 'FORBIDDEN' } });
  return true;
};
