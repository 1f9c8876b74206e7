/**
 * Typed GraphQL documents (gql.tada, from the server's committed schema.graphql) and one way to
 * send them: POST /graphql with the session cookie. Authentication failures become AuthError so
 * the app can send the person to the login page and back.
 */
import { initGraphQLTada, type ResultOf, type TadaDocumentNode, type VariablesOf } from 'gql.tada';
import { print } from 'graphql';
import type { introspection } from '../graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTimeISO: string; JSON: unknown; JSONObject: Record<string, unknown> };
}>();

export type { ResultOf, VariablesOf };

/** The session is missing or expired. */
export class AuthError extends Error {}

/** A GraphQL error the server reported (FORBIDDEN, BAD_USER_INPUT, …), with its message for the person. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export async function request<R, V>(document: TadaDocumentNode<R, V>, ...[variables]: V extends Record<string, never> ? [] : [V]): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached. Check that it is running.');
  }
  const body = (await res.json().catch(() => ({}))) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  const error = body.errors?.[0];
  if (error?.extensions?.code === 'UNAUTHENTICATED') throw new AuthError(error.message);
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!res.ok || !body.data) throw new ApiError(`The server answered HTTP ${res.status}`);
  return body.data;
}

/** A mutation payload's input problems, for the person to fix. */
export type UserErrors = readonly { message: string; field?: string | null }[];

export function userErrorText(errors: UserErrors): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('\n');
}
