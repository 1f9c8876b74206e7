import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLField, type GraphQLInputType } from 'graphql';
import { createTestSender, DciTestClient } from '../testing/dci-client.js';
import { expression, nastyJson, nastyKey, nastyNumber, nastyString } from '../testing/fuzz-arbitraries.js';
import { assertMemoryBounded, assertStillServing, describe, FUZZ_SEED, fuzzRuns, FuzzTally, send, type FuzzRequest } from '../testing/fuzz-run.js';
import { createStaffPerRole } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { managementSchema } from './schema.js';

/**
 * Every query and mutation of the management API called with generated arguments (typed and
 * hostile) as anonymous, each staff role, a sender token and garbage; plus raw documents and bodies
 * that are not GraphQL at all. Whatever comes in: no 5xx and no INTERNAL_SERVER_ERROR, and every
 * error carries a code we know. 300 cases here, 3,000 with RELIABILITY_FULL=1 (`npm run test:reliability`).
 */
const KNOWN_CODES = new Set([
  // Apollo's own
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // ours
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
]);

let server: TestServer;
const auth: Record<string, string | undefined> = { anonymous: undefined, garbage: 'Bearer dcis_garbage' };
const tally = new FuzzTally();

before(async () => {
  server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '0' });
  const { tokens } = await createStaffPerRole(server);
  for (const [role, token] of Object.entries(tokens)) auth[role] = `Bearer ${token}`;
  auth.sender = `Bearer ${await new DciTestClient(server.baseUrl, await createTestSender(server.ctx)).accessToken()}`;
});
after(() => server?.close());

const schema = managementSchema();
const ROOT_FIELDS = [...Object.values(schema.getQueryType()!.getFields()).map((f) => ({ kind: 'query', field: f })), ...Object.values(schema.getMutationType()!.getFields()).map((f) => ({ kind: 'mutation', field: f }))];

/** A value for an input type: mostly of the right shape with hostile leaves, sometimes anything at all. */
function valueOf(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const anything = depth > 3 ? fc.constant(null) : nastyJson;
  if (isNonNullType(type)) return fc.oneof({ arbitrary: valueOf(type.ofType, depth), weight: 9 }, fc.constant(null));
  if (isListType(type)) return fc.oneof({ arbitrary: fc.array(valueOf(type.ofType, depth + 1), { maxLength: depth ? 2 : 5 }), weight: 4 }, anything);
  let typed: fc.Arbitrary<unknown>;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    typed = depth > 3 ? fc.constant({}) : fc.record(Object.fromEntries(fields.map((f) => [f.name, valueOf(f.type, depth + 1)])), { requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name) });
  } else if (isEnumType(type)) {
    typed = fc.constantFrom(...type.getValues().map((v) => v.name));
  } else if (isScalarType(type)) {
    typed =
      type.name === 'Int' || type.name === 'Float' ? nastyNumber
      : type.name === 'Boolean' ? fc.boolean()
      : type.name === 'DateTimeISO' ? fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nastyString)
      : type.name === 'JSON' || type.name === 'JSONObject' ? fc.oneof(expression, fc.dictionary(nastyKey, nastyJson, { maxKeys: 4 }))
      : nastyString;
  } else {
    typed = anything;
  }
  return fc.oneof({ arbitrary: typed, weight: 5 }, anything);
}

function selection(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  return isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
}

/** A call of one root field with every argument passed as a variable. */
const fieldCall = fc.nat(ROOT_FIELDS.length - 1).chain((i) => {
  const { kind, field } = ROOT_FIELDS[i]!;
  const args = field.args;
  const document = `${kind} Fuzz${args.length ? `(${args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : ''} { ${field.name}${args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : ''}${selection(field)} }`;
  return fc.record({ query: fc.constant(document), variables: fc.record(Object.fromEntries(args.map((a) => [a.name, valueOf(a.type)])), { requiredKeys: [] }) });
});

/** Documents that are not what the API expects: garbage, deep, wide, unknown fields, introspection. */
const rawDocument = fc.oneof(
  nastyString,
  fc.integer({ min: 10, max: 300 }).map((n) => `{ senders ${'{ keys '.repeat(n)}${'}'.repeat(n)} }`),
  fc.integer({ min: 10, max: 2000 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`),
  fc.constantFrom('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 'query { me { email } } query { me { email } }', 'subscription { x }', 'mutation { __typename }', '{ nope }', '{'),
);

const graphqlCase = fc.record({
  body: fc.oneof(
    { arbitrary: fieldCall, weight: 8 },
    fc.record({ query: rawDocument, variables: fc.option(nastyJson) }),
    fc.record({ query: fc.option(nastyJson), variables: nastyJson, operationName: fc.option(nastyString), extensions: fc.option(nastyJson) }, { requiredKeys: [] }),
    fc.array(fieldCall, { maxLength: 3 }),
  ),
  as: fc.constantFrom(...['anonymous', 'garbage', 'sender', 'admin', 'admin', 'operator', 'auditor']),
  contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/graphql', 'application/json; charset=latin1')),
  method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 10 }, fc.constant('GET')),
});

function codesOf(json: unknown): (string | undefined)[] {
  const errors = (json as { errors?: { extensions?: { code?: string } }[] } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map((e) => e.extensions?.code) : [];
}

test(`GraphQL: ${fuzzRuns(300)} generated calls of every query and mutation, no 5xx, only known error codes`, { timeout: 30 * 60_000 }, async (t) => {
  await fc.assert(
    fc.asyncProperty(graphqlCase, async (c) => {
      const authorization = auth[c.as];
      const request: FuzzRequest = {
        method: c.method,
        path: c.method === 'GET' ? `/graphql?query=${encodeURIComponent(JSON.stringify((c.body as { query?: unknown }).query ?? '').slice(0, 2000))}` : '/graphql',
        // Apollo's CSRF prevention wants this header on requests that a browser could send cross-site.
        headers: { 'content-type': c.contentType, accept: 'application/json', 'apollo-require-preflight': 'true', ...(authorization ? { authorization } : {}) },
        text: JSON.stringify(c.body) ?? '',
        encoding: 'plain',
      };
      const answer = await send(server.baseUrl, request);
      tally.count(answer);
      const why = describe(request, answer);
      assert.ok(answer.status < 500, `5xx\n${why}`);
      const unknown = codesOf(answer.json).filter((code) => !code || !KNOWN_CODES.has(code));
      assert.deepEqual(unknown, [], `error codes we do not know (or a fault)\n${why}`);
      assertMemoryBounded();
    }),
    { numRuns: fuzzRuns(300), seed: FUZZ_SEED, includeErrorInReport: true },
  );
  await assertStillServing(server.baseUrl);
  t.diagnostic(`GraphQL fuzz: ${tally}`);
});
