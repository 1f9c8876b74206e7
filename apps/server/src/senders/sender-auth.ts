import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type pg from 'pg';
import type { ChangeFeed } from '../change-feed.js';

/**
 * The request path reads senders and keys with plain SQL: these lookups run on every call,
 * and the ORM's per-query overhead (about 3 ms against 0.7 ms here) would dominate it.
 */
export const SENDER_COLUMNS = `s.id, s.sender_id AS "senderId", s.name, s.description, s.contact, s.active, s.allowed_operations AS "allowedOperations",
  s.sender_uri AS "senderUri", s.preferred_scheme AS "preferredScheme", s.allowed_callback_origins AS "allowedCallbackOrigins",
  s.allow_loopback_callbacks AS "allowLoopbackCallbacks", s.allow_unsigned AS "allowUnsigned", s.rate_limit_per_minute AS "rateLimitPerMinute",
  s.notify_auth AS "notifyAuth", s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;

/** The sender a token names, refused when unknown or inactive. */
export async function activeSender(db: pg.Pool, senderId: string): Promise<Sender> {
  const { rows } = await db.query<Sender>(`SELECT ${SENDER_COLUMNS} FROM sender s WHERE s.sender_id = $1`, [senderId]);
  return checkActive(rows[0], senderId);
}

export function checkActive(sender: Sender | undefined, senderId: string): Sender {
  if (!sender) throw new DciError('err.sender.unknown', `Unknown sender ${senderId}`);
  if (!sender.active) throw new DciError('err.sender.inactive', `Sender ${senderId} is not active`);
  return sender;
}

interface RegisteredKey {
  key: KeyObject;
  notBefore: Date | null;
  notAfter: Date | null;
}

async function registeredKey(db: pg.Pool, senderUuid: string, kid: string): Promise<RegisteredKey | undefined> {
  const { rows } = await db.query<{ public_jwk: JsonWebKey; not_before: Date | null; not_after: Date | null }>({
    name: 'sender-key',
    text: 'SELECT public_jwk, not_before, not_after FROM sender_key WHERE sender_id = $1 AND key_id = $2 AND NOT revoked',
    values: [senderUuid, kid],
  });
  const row = rows[0];
  return row && { key: createPublicKey({ key: row.public_jwk, format: 'jwk' }), notBefore: row.not_before, notAfter: row.not_after };
}

const usableAt = (found: RegisteredKey | undefined, now: Date): KeyObject | undefined =>
  !found || (found.notBefore && found.notBefore > now) || (found.notAfter && found.notAfter < now) ? undefined : found.key;

/** A public key of `sender` usable now: registered under `kid`, not revoked, inside its validity window. */
export async function senderPublicKey(db: pg.Pool, sender: Pick<Sender, 'id'>, kid: string, now = new Date()): Promise<KeyObject | undefined> {
  return usableAt(await registeredKey(db, sender.id, kid), now);
}

/** senderPublicKey from memory, dropped whenever a sender key changes anywhere (see change-feed.ts). */
export async function cachedSenderPublicKey(db: pg.Pool, changes: ChangeFeed, sender: Pick<Sender, 'id'>, kid: string, now = new Date()): Promise<KeyObject | undefined> {
  const found = await changes.cache<RegisteredKey | undefined>('sender-key', ['sender_key']).get(`${sender.id}\n${kid}`, () => registeredKey(db, sender.id, kid));
  return usableAt(found, now);
}
