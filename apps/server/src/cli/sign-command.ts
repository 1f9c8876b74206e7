import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { signEnvelope, type SignatureScheme } from '@dci-server/dci';
import { loadConfig } from '../config.js';
import { DEMO_SENDER_ID } from '../senders/demo-sender.js';
import { CliError, readTextFile } from './cli-support.js';

/** header.action for each kind of request, told by the message's items field. */
const ACTION_BY_ITEMS: Record<string, string> = {
  search_request: 'search',
  verify_request: 'verify',
  subscribe_request: 'subscribe',
  subscription_codes: 'unsubscribe',
  txnstatus_request: 'txn-status',
  notify_event: 'notify',
};

interface SignOptions {
  key?: string;
  credentials?: string;
  kid?: string;
  sender?: string;
  action?: string;
  scheme: SignatureScheme;
}

/**
 * `sign <file>`: prints a signed envelope {signature, header, message} for a message (or an envelope
 * whose header fields are kept, but for a fresh message_id and message_ts), by default as the demo sender with its key from DATA_DIR/demo.
 * Needs no database: it is what a client does before POSTing.
 */
export function addSignCommand(program: Command): void {
  program
    .command('sign')
    .description('print a signed DCI envelope for a message file (default: as the demo sender)')
    .argument('<file>', 'JSON: a message ({transaction_id, search_request: […]}) or an envelope {header?, message}; - reads stdin')
    .option('--key <file>', 'private key (JWK with kid, or PKCS#8 PEM)', undefined)
    .option('--credentials <file>', 'a credentials file {sender_id, key_id, …} naming the sender and key id')
    .option('--kid <kid>', "key id (default: the credentials' key_id, else the JWK's kid)")
    .option('--sender <sender_id>', `header.sender_id (default: the credentials' sender_id, else ${DEMO_SENDER_ID} with the demo key)`)
    .option('--action <action>', 'header.action (default: from the message, e.g. search for search_request)')
    .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(['dci-signature', 'jws']).default('dci-signature'))
    .action(async (file: string, options: SignOptions) => {
      const input = parseJson(file === '-' ? await readStdin() : await readTextFile(file), file === '-' ? 'stdin' : file);
      const credentials = options.credentials ? parseJson(await readTextFile(options.credentials), options.credentials) : {};
      const hasEnvelope = 'message' in input && typeof input.message === 'object';
      const message = (hasEnvelope ? input.message : input) as Record<string, unknown>;
      const given = (hasEnvelope && typeof input.header === 'object' ? input.header : {}) as Record<string, unknown>;

      const keyFile = options.key ?? path.join(loadConfig().dataDir, 'demo', `${DEMO_SENDER_ID}.key.jwk`);
      const keyText = await readTextFile(keyFile);
      const jwk = keyText.trim().startsWith('{') ? parseJson(keyText, keyFile) : undefined;
      const kid = options.kid ?? text(credentials.key_id) ?? text(jwk?.kid);
      if (!kid) throw new CliError('the key has no kid: give --kid');
      const senderId = options.sender ?? text(credentials.sender_id) ?? text(given.sender_id) ?? (options.key ? undefined : DEMO_SENDER_ID);
      if (!senderId) throw new CliError('give --sender <sender_id> (or header.sender_id in the file)');

      const itemsField = Object.keys(ACTION_BY_ITEMS).find((field) => field in message);
      const action = options.action ?? given.action ?? (itemsField && ACTION_BY_ITEMS[itemsField]);
      if (!action) throw new CliError(`cannot tell header.action from the message (no ${Object.keys(ACTION_BY_ITEMS).join(', ')}): give --action`);
      const items = itemsField ? message[itemsField] : undefined;
      // A fresh message_id and message_ts every time: the server accepts each message_id once.
      const header = { version: '1.0.0', action, total_count: Array.isArray(items) ? items.length : 1, ...given, sender_id: senderId, message_id: randomUUID(), message_ts: new Date().toISOString() };
      try {
        const privateKey: KeyObject = jwk ? createPrivateKey({ key: jwk as never, format: 'jwk' }) : createPrivateKey(keyText);
        const signature = await signEnvelope(header, message, { scheme: options.scheme, privateKey, kid, senderId });
        console.log(JSON.stringify({ signature, header, message }, null, 2));
      } catch (error) {
        throw new CliError(`cannot sign with ${keyFile}: ${(error as Error).message}`);
      }
    });
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CliError(`${file} is not a JSON object`);
}
