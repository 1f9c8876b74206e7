import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createStaffPerRole, errorCode, graphqlClient, type GraphqlCaller } from '../testing/graphql-client.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let gql: GraphqlCaller;
let tokens: Record<string, string>;
before(async () => {
  server = await startTestServer();
  gql = graphqlClient(server);
  ({ tokens } = await createStaffPerRole(server));
});
after(() => server.close());

const KEY_FIELDS = 'key { kid state signing algorithm } userErrors { message code }';

test('all staff read the keys and the JWKS as published; only admins change them', async () => {
  const listed = await gql('{ serverKeys { kid state signing publicJwk } jwks }', {}, { token: tokens.auditor });
  assert.equal(listed.errors, undefined);
  const [active] = listed.data?.serverKeys as { kid: string; signing: boolean; publicJwk: { d?: string } }[];
  assert.equal(active?.signing, true);
  assert.equal(active?.publicJwk.d, undefined, 'never a private part');
  const published = await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json();
  assert.deepEqual(listed.data?.jwks, published);

  for (const role of ['operator', 'auditor']) {
    assert.equal(errorCode(await gql(`mutation { generateServerKey(algorithm: "ES256") { ${KEY_FIELDS} } }`, {}, { token: tokens[role] })), 'FORBIDDEN');
  }
});

test('a rotation: generate (pending, published), activate (the old key retires), retire rules', async () => {
  const before = (await gql('{ serverKeys { kid signing } }', {}, { token: tokens.admin })).data?.serverKeys as { kid: string; signing: boolean }[];
  const oldKid = before.find((k) => k.signing)!.kid;
  const generated = await gql(`mutation { generateServerKey(algorithm: "ES256") { ${KEY_FIELDS} } }`, {}, { token: tokens.admin });
  const key = generated.data?.generateServerKey.key as { kid: string; state: string; algorithm: string };
  assert.deepEqual([key.state, key.algorithm], ['pending', 'ES256']);
  const jwks = (await gql('{ jwks }', {}, { token: tokens.admin })).data?.jwks as { keys: { kid: string }[] };
  assert.ok(jwks.keys.some((k) => k.kid === key.kid), 'a pending key is published before it signs');

  const activated = await gql(`mutation($kid: String!) { activateServerKey(kid: $kid) { ${KEY_FIELDS} } }`, { kid: key.kid }, { token: tokens.admin });
  assert.deepEqual(activated.data?.activateServerKey.key, { kid: key.kid, state: 'active', signing: true, algorithm: 'ES256' });
  const keys = (await gql('{ serverKeys { kid state retiringAt publishedUntil } }', {}, { token: tokens.admin })).data?.serverKeys as { kid: string; state: string; retiringAt: string | null; publishedUntil: string | null }[];
  const old = keys.find((k) => k.kid === oldKid)!;
  assert.equal(old.state, 'retiring');
  assert.equal(Date.parse(old.publishedUntil!) - Date.parse(old.retiringAt!), server.ctx.config.keyOverlapSeconds * 1000, 'a retiring key leaves the JWKS after the overlap');
  assert.equal(keys.find((k) => k.kid === key.kid)!.publishedUntil, null, 'the signing key has no end');

  const retireActive = await gql(`mutation($kid: String!) { retireServerKey(kid: $kid) { ${KEY_FIELDS} } }`, { kid: key.kid }, { token: tokens.admin });
  assert.match(retireActive.data?.retireServerKey.userErrors[0].message, /active signing key/);
  const badAlg = await gql(`mutation { generateServerKey(algorithm: "HS256") { ${KEY_FIELDS} } }`, {}, { token: tokens.admin });
  assert.match(badAlg.data?.generateServerKey.userErrors[0].message, /unknown algorithm HS256/);
  const unknown = await gql(`mutation { activateServerKey(kid: "nope") { ${KEY_FIELDS} } }`, {}, { token: tokens.admin });
  assert.equal(unknown.data?.activateServerKey.userErrors[0].code, 'NOT_FOUND');

  const { rows } = await server.ctx.db.pool.query(`SELECT action FROM staff_audit WHERE target = $1 ORDER BY id`, [key.kid]);
  assert.deepEqual(rows.map((r) => r.action), ['generateServerKey', 'activateServerKey']);
});
