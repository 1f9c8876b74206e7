import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { verifyEnvelope } from '@dci-server/dci';
import { createTestDatabase } from '@dci-server/db';
import pg from 'pg';
import { logLine } from './cli-support.js';

// The CLI as operators run it (`npm run cli -- …` is `node --import tsx apps/server/src/cli.ts …`), on a test database.
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
let env: NodeJS.ProcessEnv;
let dir: string;

before(async () => {
  env = { ...process.env, DATABASE_URL: await createTestDatabase(), MASTER_KEY: randomBytes(32).toString('base64'), DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-cli-'));
});
after(() => fs.rm(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

function assertFriendlyFailure(run: Run, message: RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, message);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

test('--help describes every command group and command', async () => {
  const [root, add, generate] = await Promise.all([cli('--help'), cli('senders', 'add', '--help'), cli('keys', 'generate', '--help')]);
  assert.equal(root.code, 0);
  for (const group of ['senders', 'clients', 'keys', 'migrate']) assert.match(root.stdout, new RegExp(`\\n  ${group}\\b`));
  assert.equal(add.code, 0);
  assert.match(add.stdout, /--callback-origin <url>/);
  assert.match(generate.stdout, /choices: "EdDSA", "ES256", "RS256"/);
});

test('senders add, add-key, list and clients create/rotate', async () => {
  const added = await cli('senders', 'add', 'acme', '--name', 'Acme agency', '--operations', 'search,verify', '--callback-origin', 'https://cb.acme.org/hook', '--scheme', 'jws');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /^sender acme created \(operations: search, verify\)$/m);

  const keyFile = path.join(dir, 'acme.pem');
  await fs.writeFile(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
  const weak = path.join(dir, 'weak.pem');
  await fs.writeFile(weak, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
  const [duplicate, badOperation, noName, key, weakKey, missingFile, created] = await Promise.all([
    cli('senders', 'add', 'acme', '--name', 'Again'),
    cli('senders', 'add', 'other', '--name', 'x', '--operations', 'search,fly'),
    cli('senders', 'add', 'other'),
    cli('senders', 'add-key', 'acme', keyFile, '--kid', 'acme-1'),
    cli('senders', 'add-key', 'acme', weak),
    cli('senders', 'add-key', 'acme', path.join(dir, 'missing.pem')),
    cli('clients', 'create', 'acme', '--json'),
  ]);
  assertFriendlyFailure(duplicate, /^error: sender acme exists already$/m);
  assertFriendlyFailure(badOperation, /unknown operation fly/);
  assertFriendlyFailure(noName, /required option '--name <name>'/);
  assert.equal(key.code, 0, key.stderr);
  assert.match(key.stdout, /key acme-1 \(ES256, thumbprint \S+\) added to acme/);
  assertFriendlyFailure(weakKey, /^error: RSA key of 1024 bits refused/m);
  assertFriendlyFailure(missingFile, /cannot read .*missing\.pem: ENOENT/);

  assert.equal(created.code, 0, created.stderr);
  const credentials = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
  assert.match(credentials.client_id, /^acme-/);
  assert.match(created.stderr, /shown only this once/);
  const rotated = await cli('clients', 'rotate', credentials.client_id);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stdout, new RegExp(`client_id:\\s+${credentials.client_id}\\nclient_secret:\\s+\\S+`));
  assert.ok(!rotated.stdout.includes(credentials.client_secret));

  const listed = await cli('senders', 'list', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  const [acme] = JSON.parse(listed.stdout) as { senderId: string; allowedOperations: string[]; preferredScheme: string; allowedCallbackOrigins: string[]; keys: { keyId: string }[]; clients: unknown[] }[];
  assert.equal(acme?.senderId, 'acme');
  assert.deepEqual(acme.allowedOperations, ['search', 'verify']);
  assert.equal(acme.preferredScheme, 'jws');
  assert.deepEqual(acme.allowedCallbackOrigins, ['https://cb.acme.org']);
  assert.deepEqual(acme.keys.map((k) => k.keyId), ['acme-1']);
  assert.equal(acme.clients.length, 1);

  const [disabled, revokeUnknown] = await Promise.all([cli('senders', 'disable', 'acme'), cli('senders', 'revoke-key', 'acme', 'nope')]);
  assert.equal(disabled.code, 0, disabled.stderr);
  assertFriendlyFailure(revokeUnknown, /sender acme has no key nope/);
  assert.match((await cli('senders', 'list')).stdout, /^acme\s+Acme agency\s+no\s+search,verify\s+acme-1\s+acme-\w+$/m);
});

test('keys generate, activate, retire and list', async () => {
  const generated = await cli('keys', 'generate', '--alg', 'ES256', '--activate');
  assert.equal(generated.code, 0, generated.stderr);
  const kid = /key (srv-\S+) and made it the active signing key/.exec(generated.stdout)?.[1];
  assert.ok(kid, generated.stdout);
  assertFriendlyFailure(await cli('keys', 'retire', kid), /is the active signing key: activate another key first/);

  const listed = await cli('keys', 'list', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  const keys = JSON.parse(listed.stdout) as { kid: string; state: string; algorithm: string; publicJwk: Record<string, unknown> }[];
  const active = keys.filter((k) => k.state === 'active');
  assert.deepEqual(active.map((k) => [k.kid, k.algorithm]), [[kid, 'ES256']]);
  assert.equal(active[0]!.publicJwk.d, undefined);
});

test('agreements add, update, list and deactivate; deliveries resend by a filter; each change audited as cli', async () => {
  assert.equal((await cli('senders', 'add', 'agency', '--name', 'Agency')).code, 0);
  const added = await cli('agreements', 'add', 'agency', '--name', 'Cash transfers', '--purpose', 'eligibility', '--query-types', 'idtype-value', '--max-page-size', '50', '--rule', 'birth_date:derive:year', '--rule', 'phone_number:deny');
  assert.equal(added.code, 0, added.stderr);
  const id = /agreement (\S+) added for agency/.exec(added.stdout)?.[1];
  assert.ok(id, added.stdout);
  const [badRule, unknownField] = await Promise.all([
    cli('agreements', 'add', 'agency', '--name', 'x', '--purpose', 'y', '--rule', 'birth_date:shred'),
    cli('agreements', 'add', 'agency', '--name', 'x', '--purpose', 'y', '--rule', 'no_such_field:deny'),
  ]);
  assertFriendlyFailure(badRule, /field:allow/);
  assertFriendlyFailure(unknownField, /no_such_field/);
  const listed = JSON.parse((await cli('agreements', 'list', 'agency', '--json')).stdout) as { id: string; maxPageSize: number; fieldRules: unknown[]; active: boolean }[];
  assert.deepEqual(listed.map((a) => [a.id, a.maxPageSize, a.fieldRules.length, a.active]), [[id, 50, 2, true]]);
  const updated = await cli('agreements', 'update', id, '--name', 'Cash transfers 2027', '--rule', 'sex:deny');
  assert.equal(updated.code, 0, updated.stderr);
  assertFriendlyFailure(await cli('agreements', 'update', id, '--rule', 'shoe_size:deny'), /shoe_size': no such record field/);
  const [changed] = JSON.parse((await cli('agreements', 'list', 'agency', '--json')).stdout) as { name: string; maxPageSize: number; fieldRules: unknown[] }[];
  assert.deepEqual([changed!.name, changed!.maxPageSize, changed!.fieldRules], ['Cash transfers 2027', 50, [{ field: 'sex', action: 'deny' }]], 'what is not given is kept');
  assert.equal((await cli('agreements', 'deactivate', id)).code, 0);
  assertFriendlyFailure(await cli('deliveries', 'resend'), /--all-dead/);
  assertFriendlyFailure(await cli('deliveries', 'resend', '--event-type', 'Coronation'), /Unknown event type "Coronation"/);
  const resent = await cli('deliveries', 'resend', '--sender', 'agency', '--event-type', 'Death', '--since', '2026-01-01');
  assert.equal(resent.code, 0, resent.stderr);
  assert.match(resent.stdout, /^0 deliveries queued again/);
  const audit = new pg.Client({ connectionString: env.DATABASE_URL });
  await audit.connect();
  const { rows } = await audit.query<{ actor: string; action: string }>(`SELECT actor, action FROM staff_audit WHERE action IN ('createAgreement', 'updateAgreement', 'endAgreement', 'resendDeadLetters') ORDER BY id`).finally(() => audit.end());
  assert.deepEqual(rows, ['createAgreement', 'updateAgreement', 'endAgreement', 'resendDeadLetters'].map((action) => ({ actor: 'cli', action })), 'every change from the CLI is audited');
});

test('import exits 1 when a line is bad (the good lines are kept) and reports each bad line', async () => {
  const file = path.join(dir, 'people.ndjson');
  const good = { identifier: [{ identifier_type: 'UIN', identifier_value: 'cli-1' }], name: { given_name: 'Cli', surname: 'Person' }, sex: 'male', address: [{ city: 'Lakeside' }] };
  await fs.writeFile(file, `${JSON.stringify(good)}\n{oops\n`);
  const run = await cli('import', file);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^line 2: invalid JSON/m);
  assert.match(run.stdout, /imported: 1 created, 0 updated, 1 bad lines \(of 2\)/);
});

test('bad arguments are refused by the CLI, not by the database', async () => {
  const [badId, badStatus, badLimit] = await Promise.all([cli('deliveries', 'resend', 'abc'), cli('deliveries', 'list', '--status', 'lost'), cli('deliveries', 'list', '--limit', 'many')]);
  assertFriendlyFailure(badId, /abc is not a delivery id/);
  assert.doesNotMatch(badId.stderr, /uuid/);
  assertFriendlyFailure(badStatus, /Allowed choices are pending, batched/);
  assertFriendlyFailure(badLimit, /must be a whole number/);
});

test('sign prints an envelope signed with the given key, in either scheme', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = path.join(dir, 'signer.jwk');
  await fs.writeFile(keyFile, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'signer-1' }));
  const messageFile = path.join(dir, 'message.json');
  const message = { transaction_id: 't-1', search_request: [{ reference_id: 'r-1', timestamp: '2026-01-01T00:00:00Z', search_criteria: { query_type: 'idtype-value', query: { type: 'UIN', value: '1' } } }] };
  await fs.writeFile(messageFile, JSON.stringify(message));
  for (const scheme of ['dci-signature', 'jws']) {
    const run = await cli('sign', messageFile, '--key', keyFile, '--sender', 'acme', '--scheme', scheme);
    assert.equal(run.code, 0, run.stderr);
    const envelope = JSON.parse(run.stdout) as { signature: string; header: Record<string, unknown>; message: unknown };
    assert.deepEqual(envelope.message, message);
    assert.equal(envelope.header.action, 'search');
    assert.equal(envelope.header.sender_id, 'acme');
    assert.equal(envelope.header.total_count, 1);
    const check = await verifyEnvelope(envelope, (kid, sender) => (kid === 'signer-1' && sender === 'acme' ? publicKey : undefined));
    assert.ok(check.ok, JSON.stringify(check));
  }
  assertFriendlyFailure(await cli('sign', messageFile, '--key', path.join(dir, 'none.jwk')), /cannot read .*none\.jwk/);
  assertFriendlyFailure(await cli('sign', keyFile, '--key', keyFile, '--sender', 'acme'), /give --action/);
});

test('CLI log records are printed as one readable line, without the pg connection object', () => {
  const record = JSON.stringify({ level: 50, msg: 'database connection failed', err: { message: 'terminating connection due to administrator command', client: { huge: true } } });
  assert.equal(logLine(record), 'error: database connection failed: terminating connection due to administrator command');
});

test('staff create and token create print their secret once; every change a command makes is in the staff audit as cli', async () => {
  const created = await cli('staff', 'create', '--email', 'Ops@Example.org', '--role', 'operator', '--json');
  assert.equal(created.code, 0, created.stderr);
  const account = JSON.parse(created.stdout) as { email: string; role: string; password: string };
  assert.deepEqual([account.email, account.role], ['ops@example.org', 'operator']);
  assert.ok(account.password.length >= 20);
  assertFriendlyFailure(await cli('staff', 'create', '--email', 'ops@example.org', '--role', 'operator'), /exists already/);
  assertFriendlyFailure(await cli('staff', 'create', '--email', 'x@example.org', '--role', 'root'), /Allowed choices are admin, operator, auditor/);
  const token = await cli('staff', 'token', 'create', '--email', 'ops@example.org', '--name', 'script', '--role', 'admin');
  assertFriendlyFailure(token, /more rights than its user/);
  const ok = await cli('staff', 'token', 'create', '--email', 'ops@example.org', '--name', 'script', '--json');
  assert.match((JSON.parse(ok.stdout) as { token: string }).token, /^dcis_/);

  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ actor: string; action: string; target: string; after: Record<string, unknown> }>(`SELECT actor, action, target, after FROM staff_audit ORDER BY id`);
    assert.ok(rows.every((r) => r.actor === 'cli'));
    const actions = rows.map((r) => `${r.action} ${r.target ?? ''}`.trim());
    for (const expected of ['createSender acme', 'addSenderKey acme', 'createOAuthClient acme', 'rotateOAuthClientSecret', 'setSenderActive acme', 'createStaffUser ops@example.org', 'createApiToken ops@example.org']) {
      assert.ok(actions.some((a) => a.startsWith(expected)), `${expected} in ${actions.join(', ')}`);
    }
    assert.ok(actions.some((a) => a.startsWith('generateServerKey')) && actions.some((a) => a.startsWith('activateServerKey')));
    assert.ok(!JSON.stringify(rows).includes(account.password), 'no password in the audit');
  } finally {
    await db.end();
  }
});
