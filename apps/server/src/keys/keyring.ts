import type { EntityManager } from '@mikro-orm/postgresql';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type { MasterKey } from './master-key.js';
import { loadActiveSigningKey, publishedKeys, type SigningKey } from './server-keys.js';

const CACHE_MS = 30_000;

/**
 * The server's keys as the request path needs them: the active signing key (decrypted once,
 * not per request) and the published public keys for verifying our own tokens. Cached briefly,
 * so a rotation made by another process is seen within 30 s.
 */
export class Keyring {
  private signing?: { key: SigningKey; at: number };
  private verifying?: { jwks: JWTVerifyGetKey; at: number };

  constructor(
    private readonly em: () => EntityManager,
    private readonly masterKey: MasterKey,
  ) {}

  async signingKey(): Promise<SigningKey> {
    if (!this.signing || Date.now() - this.signing.at > CACHE_MS) this.signing = { key: await loadActiveSigningKey(this.em(), this.masterKey), at: Date.now() };
    return this.signing.key;
  }

  async verificationKeys(): Promise<JWTVerifyGetKey> {
    if (!this.verifying || Date.now() - this.verifying.at > CACHE_MS) this.verifying = { jwks: createLocalJWKSet({ keys: await publishedKeys(this.em()) }), at: Date.now() };
    return this.verifying.jwks;
  }

  /** Forget cached keys (after a rotation in this process). */
  invalidate(): void {
    this.signing = undefined;
    this.verifying = undefined;
  }
}
