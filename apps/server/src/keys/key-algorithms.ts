import { createPublicKey, sign, verify, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The JWS algorithms our own keys and our senders' keys are used with. */
export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** RSA moduli below this are breakable within a key's lifetime (NIST SP 800-57). */
export const MIN_RSA_BITS = 2048;

/** A key, or an operation on one, refused for a reason the operator can fix; the message says how. */
export class KeyError extends Error {}

/** The algorithm a key signs with; refuses key types, curves and sizes we do not accept. */
export function signingAlgorithmOf(key: KeyObject): SigningAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'EdDSA';
    case 'ec':
      if (details.namedCurve === 'prime256v1') return 'ES256';
      throw new KeyError(`unsupported EC curve ${details.namedCurve ?? '(unknown)'}: only P-256 is accepted`);
    case 'rsa':
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new KeyError(`RSA key of ${details.modulusLength ?? '?'} bits refused: at least ${MIN_RSA_BITS} bits are required`);
      return 'RS256';
    default:
      throw new KeyError(`unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}: use Ed25519, EC P-256 or RSA ≥ ${MIN_RSA_BITS} bits`);
  }
}

/** The public members of a JWK (no `d`, primes or CRT values), as node:crypto exports them. */
export function publicJwkOf(key: KeyObject): JsonWebKey {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
}

/** Whether `privateKey` produces signatures that `publicKey` accepts (catches a JWK whose parts come from two keys). */
export function keysMatch(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const probe = randomBytes(32);
  // Ed25519 takes no digest; the others sign SHA-256, as ES256/RS256 do.
  const digest = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return verify(digest, probe, publicKey, sign(digest, probe, privateKey));
  } catch {
    return false;
  }
}
