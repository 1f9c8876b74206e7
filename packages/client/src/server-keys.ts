import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface ServerKeysOptions {
  fetch?: typeof fetch;
  /** Keys are fetched again after this long even when every kid is known (revocations). Default 10 minutes. */
  maxAgeMs?: number;
  /** A kid the JWKS did not have is not asked for again within this time. Default 30 s. */
  unknownKidCooldownMs?: number;
}

/**
 * The server's public signing keys from its JWKS, cached. A kid not in the cache fetches the JWKS
 * again at once (the server has rotated its key), but one that was still missing after a fetch is
 * not asked for again during the cooldown, so forged kids cannot make us hammer the server.
 */
export class ServerKeys {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private refreshing?: Promise<void>;
  private readonly missing = new Map<string, number>();
  private readonly fetchJson: typeof fetch;
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;

  constructor(
    readonly jwksUrl: string,
    options: ServerKeysOptions = {},
  ) {
    this.fetchJson = options.fetch ?? fetch;
    this.maxAgeMs = options.maxAgeMs ?? 600_000;
    this.cooldownMs = options.unknownKidCooldownMs ?? 30_000;
  }

  /** The public key for `kid`, or undefined if the server does not publish it. */
  async get(kid: string): Promise<KeyObject | undefined> {
    const now = Date.now();
    if (now - this.fetchedAt > this.maxAgeMs) await this.refresh();
    const known = this.keys.get(kid);
    if (known) return known;
    if (now - (this.missing.get(kid) ?? -Infinity) < this.cooldownMs) return undefined;
    await this.refresh();
    const found = this.keys.get(kid);
    if (!found) {
      if (this.missing.size > 1000) this.missing.clear();
      this.missing.set(kid, Date.now());
    }
    return found;
  }

  /** One fetch at a time; callers arriving meanwhile share it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const res = await this.fetchJson(this.jwksUrl, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`cannot read the server's keys at ${this.jwksUrl}: HTTP ${res.status}`);
    const { keys } = (await res.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    const next = new Map<string, KeyObject>();
    for (const jwk of keys ?? []) {
      if (typeof jwk.kid !== 'string') continue;
      try {
        next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // a key type this Node cannot read: it cannot have signed anything we can check
      }
    }
    this.keys = next;
    this.fetchedAt = Date.now();
  }
}
