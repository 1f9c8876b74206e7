import { randomUUID } from 'node:crypto';
import { jwsAlgorithmForKey, toPrivateKey, type PrivateKeyInput } from '@dci-server/dci/signing';
import { SignJWT } from 'jose';
import { DciTokenError } from './errors.js';

/** How the client proves who it is to the token endpoint. */
export type ClientAuth =
  /** client_secret_basic */
  | { clientId: string; clientSecret: string }
  /** private_key_jwt (RFC 7523): a one-time JWT signed with the sender's registered key */
  | { clientId: string; privateKeyJwt: true };

export interface SigningKey {
  /** Private JWK or KeyObject: Ed25519, EC P-256 or RSA. */
  privateKey: PrivateKeyInput;
  /** The key id the server knows this key by. */
  kid: string;
}

export interface TokenSourceOptions {
  fetch?: typeof fetch;
  /** Space-separated operations to ask for; default: all the sender may do. */
  scope?: string;
  /** The clock tokens are timed by (ms since epoch); tests move it. */
  now?: () => number;
}

interface CachedToken {
  value: string;
  /** ms since epoch after which the token is fetched anew (before it really expires). */
  renewAt: number;
}

/** OAuth2 client-credentials tokens, cached and renewed shortly before they expire; concurrent callers share one request. */
export class TokenSource {
  private cached?: CachedToken;
  private pending?: Promise<CachedToken>;
  private readonly fetchJson: typeof fetch;
  private readonly now: () => number;

  constructor(
    readonly tokenUrl: string,
    private readonly auth: ClientAuth,
    private readonly signingKey: SigningKey | undefined,
    private readonly options: TokenSourceOptions = {},
  ) {
    if ('privateKeyJwt' in auth && !signingKey) throw new TypeError('private_key_jwt needs a signing key');
    this.fetchJson = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.value;
    this.pending ??= this.request().finally(() => (this.pending = undefined));
    this.cached = await this.pending;
    return this.cached.value;
  }

  /** Forgets the cached token (e.g. the server answered 401: the client was rotated or disabled). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async request(): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.options.scope) form.set('scope', this.options.scope);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if ('clientSecret' in this.auth) {
      // RFC 6749 §2.3.1: each part form-encoded before base64.
      const basic = `${encodeURIComponent(this.auth.clientId)}:${encodeURIComponent(this.auth.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    } else {
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', await this.assertion());
    }
    const started = this.now();
    const res = await this.fetchJson(this.tokenUrl, { method: 'POST', headers, body: form });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || typeof body.access_token !== 'string') throw new DciTokenError(res.status, body.error ?? 'invalid_response', body.error_description ?? '');
    const ttlMs = (body.expires_in ?? 300) * 1000;
    // Renew a minute early (a fifth of the lifetime for short tokens), so no call leaves with a token about to expire.
    return { value: body.access_token, renewAt: started + ttlMs - Math.min(60_000, ttlMs / 5) };
  }

  private assertion(): Promise<string> {
    const { privateKey, kid } = this.signingKey!;
    const key = toPrivateKey(privateKey);
    const alg = jwsAlgorithmForKey(key);
    if (!alg) throw new TypeError('unsupported key type for private_key_jwt');
    const now = Math.floor(Date.now() / 1000); // the real clock: the server checks iat and exp
    return new SignJWT({})
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(this.auth.clientId)
      .setSubject(this.auth.clientId)
      .setAudience(this.tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti(randomUUID())
      .sign(key);
  }
}
