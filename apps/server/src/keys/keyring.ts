import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChangeFeed } from '../change-feed.js';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type { MasterKey } from './master-key.js';
import { loadActiveSigningKey, publishedKeys, type SigningKey } from './server-keys.js';

const CACHE_MS = 30_000;
/** An unknown kid reloads the keys, at most this often (random kids must not hammer the database). */
const RELOAD_ON_MISS_MS = 1_000;

/**
 * The server's keys as the request path needs them: the active signing key (decrypted once,
 * not per request) and the published public keys for verifying our own tokens. Forgotten when
 * the server_key table changes anywhere (with a change feed), and in any case after 30 s or at
 * once for a token whose kid we have not seen yet.
 */
export class Keyring {
  private signing?: { key: SigningKey; at: number };
  private keysGeneration = 0;
  private verifying?: { jwks: JWTVerifyGetKey; at: number };

  constructor(
    private readonly em: () => EntityManager,
    private readonly masterKey: MasterKey,
    private readonly overlapSeconds: number,
    changes?: ChangeFeed,
  ) {
    changes?.subscribe('server_key', () => this.invalidate());
  }

  async signingKey(): Promise<SigningKey> {
    if (!this.signing || Date.now() - this.signing.at > CACHE_MS) this.signing = { key: await loadActiveSigningKey(this.em(), this.masterKey), at: Date.now() };
    return this.signing.key;
  }

  /** A jose key resolver over our published keys. */
  verificationKeys(): JWTVerifyGetKey {
    return async (header, token) => {
      const jwks = await this.publicKeys();
      try {
        return await jwks(header, token);
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || Date.now() - this.verifying!.at < RELOAD_ON_MISS_MS) throw error;
        this.verifying = undefined;
        return (await this.publicKeys())(header, token);
      }
    };
  }

  /** Changes whenever the keys are forgotten: what was checked with the old ones must be checked again. */
  get generation(): number {
    return this.keysGeneration;
  }

  /** Forget cached keys (after a rotation in this process). */
  invalidate(): void {
    this.keysGeneration++;
    this.signing = undefined;
    this.verifying = undefined;
  }

  private async publicKeys(): Promise<JWTVerifyGetKey> {
    if (!this.verifying || Date.now() - this.verifying.at > CACHE_MS) {
      this.verifying = { jwks: createLocalJWKSet({ keys: await publishedKeys(this.em(), this.overlapSeconds) }), at: Date.now() };
    }
    return this.verifying.jwks;
  }
}
