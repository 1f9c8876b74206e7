import { createApiToken } from '../staff/staff-tokens.js';
import { createStaffUser } from '../staff/staff-users.js';
import type { TestServer } from './test-server.js';

export interface GraphqlReply {
  status: number;
  headers: Headers;
  data?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary answers
  errors?: { message: string; path?: string[]; extensions?: { code?: string } }[];
}

export type GraphqlCaller = (query: string, variables?: Record<string, unknown>, auth?: { token?: string; cookie?: string }) => Promise<GraphqlReply>;

/** POSTs GraphQL to a test server as the console and integrators do. */
export function graphqlClient(server: TestServer): GraphqlCaller {
  return async (query, variables = {}, auth = {}) => {
    const res = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GraphqlReply, 'status' | 'headers'>;
    return { status: res.status, headers: res.headers, ...body };
  };
}

/** One staff user per role, each with an API token and its password. */
export async function createStaffPerRole(server: TestServer): Promise<{ tokens: Record<string, string>; passwords: Record<string, string> }> {
  const tokens: Record<string, string> = {};
  const passwords: Record<string, string> = {};
  for (const role of ['admin', 'operator', 'auditor']) {
    passwords[role] = (await createStaffUser(server.ctx.db.pool, { email: `${role}@example.org`, role })).password;
    tokens[role] = (await createApiToken(server.ctx.db.pool, { email: `${role}@example.org`, name: 'tests' })).token;
  }
  return { tokens, passwords };
}

export const errorCode = (reply: GraphqlReply) => reply.errors?.[0]?.extensions?.code;
