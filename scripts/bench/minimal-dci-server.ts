/**
 * The "minimal-DCI" target of the HTTP comparison: the bare server plus what a DCI data provider
 * cannot skip, done the simplest way: a bearer JWT checked against our server's keys (fetched
 * once, cached), the sender's Ed25519 DCI signature checked (its keys read once, cached), one
 * audit insert, and an Ed25519-signed answer. No rate limit, replay check, quota or agreement.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { signEnvelope, verifyEnvelope } from '@dci-server/dci';
import express from 'express';
import { createLocalJWKSet, jwtVerify } from 'jose';
import pg from 'pg';
import { identifierQuery, lookupPersons, serverSettings } from './lookup.js';

const settings = serverSettings();
const issuer = process.env.BENCH_ISSUER!;
const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize });
const jwks = createLocalJWKSet((await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: [] });
const senderKeys = new Map<string, KeyObject>();
for (const row of (await pool.query<{ sender_id: string; key_id: string; public_jwk: JsonWebKey }>('SELECT s.sender_id, k.key_id, k.public_jwk FROM sender_key k JOIN sender s ON s.id = k.sender_id WHERE NOT k.revoked')).rows) {
  senderKeys.set(`${row.sender_id}|${row.key_id}`, createPublicKey({ key: row.public_jwk, format: 'jwk' }));
}
const ourKey = generateKeyPairSync('ed25519').privateKey;
await pool.query('CREATE TABLE IF NOT EXISTS bench_minimal_audit (id bigserial PRIMARY KEY, sender_id text, message_id text, request jsonb, response jsonb, created_at timestamptz NOT NULL DEFAULT now())');

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.post('/registry/sync/search', express.json({ limit: '1mb' }), async (req, res) => {
  try {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return void res.status(401).json({ error: 'no token' });
    const senderId = (await jwtVerify(token, jwks, { issuer, audience: issuer })).payload.sub!;
    const body = req.body as { signature: string; header: { message_id: string; sender_id: string }; message: { transaction_id: string; search_request: { reference_id: string }[] } };
    const verified = await verifyEnvelope(body, (kid, signerId) => (signerId === senderId ? senderKeys.get(`${senderId}|${kid}`) : undefined));
    if (!verified.ok) return void res.status(401).json({ error: verified.reason });
    const query = identifierQuery(body);
    if (!query) return void res.status(400).json({ error: 'not an idtype-value search' });
    const records = await lookupPersons(pool, query);
    const header = { version: '1.0.0', message_id: randomUUID(), message_ts: new Date().toISOString(), action: 'on-search', status: 'succ', total_count: 1, completed_count: 1, sender_id: 'minimal-dci', receiver_id: senderId, is_msg_encrypted: false };
    const item = body.message.search_request[0]!;
    const message = { transaction_id: body.message.transaction_id, search_response: [{ reference_id: item.reference_id, timestamp: header.message_ts, status: 'succ', data: { reg_records: records } }] };
    const signature = await signEnvelope(header, message, { scheme: 'dci-signature', privateKey: ourKey, kid: 'minimal-dci-key', senderId: 'minimal-dci' });
    const envelope = { signature, header, message };
    await pool.query({ name: 'bench-audit', text: 'INSERT INTO bench_minimal_audit (sender_id, message_id, request, response) VALUES ($1, $2, $3, $4)', values: [senderId, body.header.message_id, JSON.stringify(body), JSON.stringify(envelope)] });
    res.json(envelope);
  } catch (error) {
    res.status(500).json({ error: (error as Error).message });
  }
});
app.listen(settings.port, '127.0.0.1');
process.on('SIGTERM', () => void pool.end().finally(() => process.exit(0)));
