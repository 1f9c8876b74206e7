/** Key handling shared by both signature schemes. */
import { createPrivateKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

export type PrivateKeyInput = KeyObject | JsonWebKey;

export function toPrivateKey(key: PrivateKeyInput): KeyObject {
  if (isKeyObject(key)) {
    if (key.type !== 'private') throw new TypeError('A private key is required for signing');
    return key;
  }
  return createPrivateKey({ key, format: 'jwk' });
}

function isKeyObject(key: PrivateKeyInput): key is KeyObject {
  return typeof (key as KeyObject).export === 'function' && typeof (key as KeyObject).type === 'string';
}

export type KeyFamily = 'ed25519' | 'p256' | 'rsa';

/** The key families we sign and verify with; anything else is refused. */
export function keyFamily(key: KeyObject): KeyFamily | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return 'rsa';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  return undefined;
}
