/**
 * Scheme 2: compact JWS over the canonical JSON of {header, message}.
 * The protected header carries `kid` plus `created` / `expires` (unix seconds)
 * so both schemes share the same freshness rules. Detached form leaves the
 * payload segment empty; the verifier rebuilds it from the envelope.
 */
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import type { KeyObject } from 'node:crypto';
import { keyFamily } from './keys.js';

export type JwsAlgorithm = 'EdDSA' | 'ES256' | 'RS256' | 'PS256';
const JWS_ALGORITHMS: Readonly<Record<JwsAlgorithm, string>> = { EdDSA: 'ed25519', ES256: 'p256', RS256: 'rsa', PS256: 'rsa' };

export function looksLikeJws(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(value);
}

export function jwsAlgorithmForKey(key: KeyObject, rsaAlgorithm: 'RS256' | 'PS256' = 'RS256'): JwsAlgorithm | undefined {
  const family = keyFamily(key);
  return family === 'ed25519' ? 'EdDSA' : family === 'p256' ? 'ES256' : family === 'rsa' ? rsaAlgorithm : undefined;
}

export interface JwsSignOptions {
  alg: JwsAlgorithm;
  kid: string;
  created: number;
  expires: number;
  detached: boolean;
}

export async function signJws(key: KeyObject, payload: string, options: JwsSignOptions): Promise<string> {
  const jws = await new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: options.alg, kid: options.kid, created: options.created, expires: options.expires })
    .sign(key);
  if (!options.detached) return jws;
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

export interface JwsHeaderInfo {
  alg: JwsAlgorithm;
  kid: string;
  created: number;
  expires: number;
  detached: boolean;
}

/** Reads the protected header, or returns why it is unusable. */
export function readJwsHeader(jws: string): JwsHeaderInfo | string {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return 'malformed JWS header';
  }
  const { alg, kid, created, expires } = header;
  if (typeof alg !== 'string' || !Object.hasOwn(JWS_ALGORITHMS, alg)) return 'unsupported JWS alg';
  if (typeof kid !== 'string' || kid === '') return 'JWS header has no kid';
  if (!Number.isSafeInteger(created) || !Number.isSafeInteger(expires)) return 'JWS header needs integer created and expires';
  return { alg: alg as JwsAlgorithm, kid, created: created as number, expires: expires as number, detached: jws.split('.')[1] === '' };
}

/** Verifies the JWS against the given payload candidates; returns whether one matched. */
export async function verifyJws(jws: string, info: JwsHeaderInfo, key: KeyObject, payloads: readonly string[]): Promise<boolean> {
  if (keyFamily(key) !== JWS_ALGORITHMS[info.alg]) return false;
  const [header, payload, signature] = jws.split('.');
  for (const candidate of payloads) {
    const encoded = Buffer.from(candidate, 'utf8').toString('base64url');
    if (!info.detached && encoded !== payload) continue;
    try {
      await compactVerify(`${header}.${encoded}.${signature}`, key, { algorithms: [info.alg] });
      return true;
    } catch {
      // try the next candidate
    }
  }
  return false;
}
