/**
 * A complete DCI client in a page, for trying the API with the demo sender that `npm start`
 * writes to .data/demo: token (client credentials), signed envelope, sync search, signature
 * check of the answer against the server's JWKS.
 *   npm run demo:search -- [identifier type] [value]
 */
import { randomUUID, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { signEnvelope, verifyEnvelope } from '@dci-server/dci';

const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'demo-client.credentials.json'), 'utf8'));
const privateJwk = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'demo-client.key.jwk'), 'utf8'));
const [idType = 'UIN', idValue = '0000000000'] = process.argv.slice(2);

const tokenRes = await fetch(creds.token_url, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.client_id, client_secret: creds.client_secret }),
});
const { access_token } = (await tokenRes.json()) as { access_token: string };

const header = { version: '1.0.0', message_id: randomUUID(), message_ts: new Date().toISOString(), action: 'search', sender_id: creds.sender_id, total_count: 1 };
const message = {
  transaction_id: randomUUID(),
  search_request: [
    {
      reference_id: 'ref-1',
      timestamp: new Date().toISOString(),
      search_criteria: { version: '1.0.0', reg_type: 'ns:org:RegistryType:Social', reg_record_type: 'Person', query_type: 'idtype-value', query: { type: idType, value: idValue } },
    },
  ],
};
const signature = await signEnvelope(header, message, { scheme: 'dci-signature', privateKey: privateJwk, kid: creds.key_id, senderId: creds.sender_id });
const request = { signature, header, message };
console.log('--- request ---\n' + JSON.stringify(request, null, 2));

const res = await fetch(`${creds.base_url}/registry/sync/search`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` }, body: JSON.stringify(request) });
const answer = (await res.json()) as { signature?: string; header: unknown; message: unknown };
console.log(`--- response (HTTP ${res.status}) ---\n` + JSON.stringify(answer, null, 2));

const jwks = (await (await fetch(`${creds.base_url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
const check = await verifyEnvelope(answer, (kid) => {
  const jwk = jwks.keys.find((k) => k.kid === kid);
  return jwk ? createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }) : undefined;
});
console.log(`--- response signature: ${check.ok ? 'valid' : `INVALID (${check.reason})`} ---`);
