import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeRateLimit } from '../senders/rate-limit.js';
import {
  addSenderKey,
  createOAuthClient,
  createSender,
  DEFAULT_OPERATIONS,
  findSender,
  listSenders,
  OPERATIONS,
  revokeSenderKey,
  rotateOAuthClientSecret,
  setSenderActive,
  setSenderRateLimit,
  SIGNATURE_SCHEMES,
  type ClientCredentials,
  type Operation,
  type SignatureScheme,
} from '../senders/senders.js';
import { collect, isoDate, printJson, printTable, readTextFile, withDatabase } from './cli-support.js';

function requestsPerMinute(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of requests per minute, at least 1 (use --unlimited for none)');
  return n;
}

function operationList(value: string): Operation[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(OPERATIONS as readonly string[]).includes(n));
  if (unknown.length) throw new InvalidArgumentError(`unknown operation ${unknown.join(', ')}; choose from ${OPERATIONS.join(', ')}`);
  return names as Operation[];
}

interface AddSenderOptions {
  name: string;
  description?: string;
  contact?: string;
  operations: Operation[];
  callbackOrigin?: string[];
  uri?: string;
  scheme: SignatureScheme;
}

/** `senders …` and `clients …`: the sender registry. */
export function addSenderCommands(program: Command): void {
  const senders = program.command('senders').description('register and manage senders (the systems allowed to call the API)');

  senders
    .command('add')
    .description('register a sender')
    .argument('<sender_id>', 'the id the sender puts in header.sender_id')
    .requiredOption('--name <name>', 'display name')
    .option('--description <text>', 'what the sender is')
    .option('--contact <text>', 'who to call about it')
    .addOption(new Option('--operations <list>', `comma-separated, from ${OPERATIONS.join(', ')}`).argParser(operationList).default(DEFAULT_OPERATIONS, DEFAULT_OPERATIONS.join(',')))
    .option('--callback-origin <url>', 'an origin async answers may be sent to (repeatable)', collect)
    .option('--uri <url>', "the sender's base URI (its origin is allowed for callbacks)")
    .addOption(new Option('--scheme <scheme>', 'how our responses to it are signed').choices(SIGNATURE_SCHEMES).default('dci-signature'))
    .action((senderId: string, options: AddSenderOptions) =>
      withDatabase(async ({ db, audit }) => {
        const sender = await createSender(db.orm.em.fork(), {
          senderId,
          name: options.name,
          description: options.description,
          contact: options.contact,
          allowedOperations: options.operations,
          senderUri: options.uri,
          preferredScheme: options.scheme,
          allowedCallbackOrigins: options.callbackOrigin,
        });
        await audit('createSender', senderId, { after: { ...options, senderId } });
        console.log(`sender ${sender.senderId} created (operations: ${sender.allowedOperations.join(', ')})`);
        console.error(`next: senders add-key ${senderId} <public-key-file>, then clients create ${senderId}`);
      }),
    );

  senders
    .command('list')
    .description('list senders with their keys and OAuth clients')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withDatabase(async ({ db }) => {
        const all = await listSenders(db.orm.em.fork());
        if (options.json) return printJson(all);
        printTable(
          ['SENDER', 'NAME', 'ACTIVE', 'OPERATIONS', 'KEYS', 'CLIENTS'],
          all.map((s) => [
            s.senderId,
            s.name,
            s.active ? 'yes' : 'no',
            s.allowedOperations.join(','),
            s.keys.filter((k) => !k.revoked).map((k) => k.keyId).join(','),
            s.clients.filter((c) => c.active).map((c) => c.clientId).join(','),
          ]),
        );
      }),
    );

  for (const [name, active] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    senders
      .command(name)
      .description(active ? 'let a disabled sender call the API again' : 'refuse tokens and calls from a sender (keys and clients are kept)')
      .argument('<sender_id>')
      .action((senderId: string) =>
        withDatabase(async ({ db, audit }) => {
          await setSenderActive(db.orm.em.fork(), senderId, active);
          await audit('setSenderActive', senderId, { after: { active } });
          console.log(`sender ${senderId} ${active ? 'enabled' : 'disabled'}`);
        }),
      );
  }

  senders
    .command('rate-limit')
    .description("show or set how many requests per minute a sender may make (over it: 429 with Retry-After)")
    .argument('<sender_id>')
    .addOption(new Option('--per-minute <n>', 'its own limit').argParser(requestsPerMinute).conflicts(['unlimited', 'default']))
    .addOption(new Option('--unlimited', 'no limit for this sender').conflicts('default'))
    .option('--default', 'follow RATE_LIMIT_PER_MINUTE again')
    .action((senderId: string, options: { perMinute?: number; unlimited?: boolean; default?: boolean }) =>
      withDatabase(async ({ db, config, audit }) => {
        const em = db.orm.em.fork();
        const change = options.perMinute ?? (options.unlimited ? 0 : options.default ? null : undefined);
        const sender = change === undefined ? await findSender(em, senderId) : await setSenderRateLimit(em, senderId, change);
        if (change !== undefined) await audit('setSenderRateLimit', senderId, { after: { rateLimitPerMinute: change } });
        console.log(`sender ${senderId}: ${describeRateLimit(sender, config.rateLimitPerMinute)}`);
      }),
    );

  senders
    .command('add-key')
    .description("register a sender's public key (Ed25519, EC P-256 or RSA ≥ 2048) from an SPKI PEM or a JWK file")
    .argument('<sender_id>')
    .argument('<file>', 'file.pem (-----BEGIN PUBLIC KEY-----) or file.jwk')
    .option('--kid <kid>', "the key id the sender signs with (default: the JWK's kid, else its RFC 7638 thumbprint)")
    .option('--not-before <date>', 'not valid before (ISO 8601)', isoDate)
    .option('--not-after <date>', 'not valid after (ISO 8601)', isoDate)
    .action((senderId: string, file: string, options: { kid?: string; notBefore?: Date; notAfter?: Date }) =>
      withDatabase(async ({ db, audit }) => {
        const text = await readTextFile(file);
        const em = db.orm.em.fork();
        const key = await addSenderKey(em, await findSender(em, senderId), text, options.kid, { notBefore: options.notBefore, notAfter: options.notAfter });
        await audit('addSenderKey', senderId, { after: { keyId: key.keyId, fingerprint: key.fingerprint } });
        console.log(`key ${key.keyId} (${key.algorithm}, thumbprint ${key.fingerprint}) added to ${senderId}`);
      }),
    );

  senders
    .command('revoke-key')
    .description("stop accepting signatures made with one of a sender's keys")
    .argument('<sender_id>')
    .argument('<kid>')
    .action((senderId: string, kid: string) =>
      withDatabase(async ({ db, audit }) => {
        await revokeSenderKey(db.orm.em.fork(), senderId, kid);
        await audit('revokeSenderKey', senderId, { after: { keyId: kid, revoked: true } });
        console.log(`key ${kid} of ${senderId} revoked`);
      }),
    );

  const clients = program.command('clients').description('OAuth2 client credentials of senders');

  clients
    .command('create')
    .description('create client credentials for a sender; the secret is shown only once')
    .argument('<sender_id>')
    .option('--json', 'print JSON')
    .action((senderId: string, options: { json?: boolean }) =>
      withDatabase(async ({ db, audit }) => {
        const em = db.orm.em.fork();
        const credentials = await createOAuthClient(em, await findSender(em, senderId));
        await audit('createOAuthClient', senderId, { after: { clientId: credentials.clientId } });
        printCredentials(credentials, options.json);
      }),
    );

  clients
    .command('rotate')
    .description('replace a client secret; the old one stops working at once, the new one is shown only once')
    .argument('<client_id>')
    .option('--json', 'print JSON')
    .action((clientId: string, options: { json?: boolean }) =>
      withDatabase(async ({ db, audit }) => {
        const credentials = await rotateOAuthClientSecret(db.orm.em.fork(), clientId);
        await audit('rotateOAuthClientSecret', clientId);
        printCredentials(credentials, options.json);
      }),
    );
}

function printCredentials(credentials: ClientCredentials, json = false): void {
  if (json) printJson({ client_id: credentials.clientId, client_secret: credentials.clientSecret });
  else console.log(`client_id:     ${credentials.clientId}\nclient_secret: ${credentials.clientSecret}`);
  console.error('the secret is shown only this once and stored only hashed: keep it now');
}
