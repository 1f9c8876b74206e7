import { createPublicKey, type KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DciError } from '@dci-server/dci';
import { SenderKeySchema, SenderSchema, type Sender } from '@dci-server/db';

/** The sender a token names, refused when unknown or inactive. */
export async function activeSender(em: EntityManager, senderId: string): Promise<Sender> {
  const sender = await em.findOne(SenderSchema, { senderId });
  if (!sender) throw new DciError('err.sender.unknown', `Unknown sender ${senderId}`);
  if (!sender.active) throw new DciError('err.sender.inactive', `Sender ${senderId} is not active`);
  return sender;
}

/** A public key of `sender` usable now: registered under `kid`, not revoked, inside its validity window. */
export async function senderPublicKey(em: EntityManager, sender: Sender, kid: string, now = new Date()): Promise<KeyObject | undefined> {
  const key = await em.findOne(SenderKeySchema, { sender, keyId: kid, revoked: false });
  if (!key || (key.notBefore && key.notBefore > now) || (key.notAfter && key.notAfter < now)) return undefined;
  return createPublicKey({ key: key.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}
