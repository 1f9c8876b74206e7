import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import type { AppContext } from '../context.js';
import type { StaffIdentity, StaffRole } from '../staff/roles.js';
import { staffIdentityOf } from '../staff/request-identity.js';

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

/** The server, who is asking (see staffIdentityOf) and the response. */
export async function graphqlContext(app: AppContext, req: Request, res: Response): Promise<GraphqlContext> {
  return { app, res, ...(await staffIdentityOf(app.db.pool, req.headers)) };
}

/** `@Authorized(...roles)`: anonymous → UNAUTHENTICATED, a role not listed → FORBIDDEN. */
export const authChecker: AuthChecker<GraphqlContext, StaffRole> = ({ context }, roles) => {
  if (!context.staff) throw new GraphQLError('sign in, or send an API token as Authorization: Bearer', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  if (roles.length && !roles.includes(context.staff.role)) throw new GraphQLError(`the ${context.staff.role} role may not do this`, { extensions: { code: 'FORBIDDEN' } });
  return true;
};
