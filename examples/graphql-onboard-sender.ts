/**
 * An integrator's script: onboard a sender through the GraphQL management API with a personal API
 * token (`npm run cli -- staff token create --email you@… --name script`).
 *   DCI_URL=http://localhost:8080 DCI_TOKEN=dcis_… node --import tsx examples/graphql-onboard-sender.ts acme ./acme-public.pem
 */
import fs from 'node:fs';

const [senderId = 'acme', keyFile] = process.argv.slice(2);
const url = `${process.env.DCI_URL ?? 'http://localhost:8080'}/graphql`;

async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.DCI_TOKEN}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

/** Mutations report input problems in userErrors; stop on the first. */
function check(payload: { userErrors: { message: string }[] }, step: string): void {
  if (payload.userErrors.length) throw new Error(`${step}: ${payload.userErrors.map((e) => e.message).join('; ')}`);
}

const created = await graphql<{ createSender: { userErrors: { message: string }[] } }>(
  'mutation($input: CreateSenderInput!) { createSender(input: $input) { sender { senderId } userErrors { message } } }',
  { input: { senderId, name: `${senderId} (onboarded by script)`, allowedOperations: ['search', 'verify', 'txn_status'] } },
);
check(created.createSender, 'createSender');

if (keyFile) {
  const key = await graphql<{ addSenderKey: { sender: { keys: { keyId: string; fingerprint: string }[] }; userErrors: { message: string }[] } }>(
    'mutation($input: AddSenderKeyInput!) { addSenderKey(input: $input) { sender { keys { keyId fingerprint } } userErrors { message } } }',
    { input: { senderId, publicKey: fs.readFileSync(keyFile, 'utf8') } },
  );
  check(key.addSenderKey, 'addSenderKey');
  console.log('key', key.addSenderKey.sender.keys.at(-1));
}

const client = await graphql<{ createOAuthClient: { clientId: string; clientSecret: string; userErrors: { message: string }[] } }>(
  'mutation($senderId: String!) { createOAuthClient(senderId: $senderId) { clientId clientSecret userErrors { message } } }',
  { senderId },
);
check(client.createOAuthClient, 'createOAuthClient');
console.log(`client_id=${client.createOAuthClient.clientId}\nclient_secret=${client.createOAuthClient.clientSecret}  (shown once: hand it to the sender now)`);
