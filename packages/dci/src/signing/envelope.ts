/**
 * Signing and verifying a DCI envelope's `signature` over {header, message}.
 * Two schemes, told apart by the value's form: the DCI signature string
 * (dci-signature.ts) and compact JWS (jws.ts). Verification accepts digests of
 * both RFC 8785 JSON and Python-style sorted JSON, since peers use either.
 */
import type { KeyObject } from 'node:crypto';
import { canonicalJson, digestOf, digestOfText, pythonSortedJson } from './canonical.js';
import { algorithmForKey, formatDciSignature, looksLikeDciSignature, parseDciSignature, signText, signingString, verifyText } from './dci-signature.js';
import { jwsAlgorithmForKey, looksLikeJws, readJwsHeader, signJws, verifyJws } from './jws.js';
import { toPrivateKey } from './keys.js';
import type { PrivateKeyInput } from './keys.js';

export type SignatureScheme = 'dci-signature' | 'jws';

export interface SignOptions {
  scheme: SignatureScheme;
  privateKey: PrivateKeyInput;
  /** Key id as published in the sender's JWKS. */
  kid: string;
  senderId: string;
  /** Signature lifetime; verifiers reject more than 300 s by default. */
  ttlSeconds?: number;
  now?: Date;
  /** JWS only: leave the payload segment empty. */
  detached?: boolean;
  /** JWS with an RSA key: RS256 (default) or PS256. */
  rsaAlgorithm?: 'RS256' | 'PS256';
}

export async function signEnvelope(header: unknown, message: unknown, options: SignOptions): Promise<string> {
  return signCanonicalContent(canonicalJson({ header, message }), options);
}

/**
 * The whole signed envelope {header, message, signature} as RFC 8785 JSON text, for senders of large
 * answers: {header, message} is serialised once, and that text is both what is signed and what is sent.
 */
export async function signedEnvelopeJson(header: unknown, message: unknown, options: SignOptions): Promise<string> {
  const content = canonicalJson({ header, message });
  const signature = await signCanonicalContent(content, options);
  // "signature" sorts after "message": appending it keeps the text canonical.
  return `${content.slice(0, -1)},"signature":${JSON.stringify(signature)}}`;
}

/** The signature over `content`, the RFC 8785 text of {header, message}. */
async function signCanonicalContent(content: string, options: SignOptions): Promise<string> {
  // Both end up inside quoted, |-separated fields of the signature string.
  if (!/^[^"|\s]+$/.test(options.kid) || !/^[^"|\s]+$/.test(options.senderId)) {
    throw new TypeError('kid and senderId must be non-empty and contain no quotes, | or spaces');
  }
  const key = toPrivateKey(options.privateKey);
  const created = unixSeconds(options.now ?? new Date());
  const expires = created + (options.ttlSeconds ?? 300);
  if (options.scheme === 'dci-signature') {
    const algorithm = algorithmForKey(key);
    if (!algorithm) throw new TypeError('Unsupported key type for the DCI signature scheme');
    const signature = signText(key, algorithm, signingString(created, expires, digestOfText(content)));
    return formatDciSignature({ senderId: options.senderId, keyId: options.kid, algorithm, created, expires, signature });
  }
  const alg = jwsAlgorithmForKey(key, options.rsaAlgorithm);
  if (!alg) throw new TypeError('Unsupported key type for JWS');
  return signJws(key, content, { alg, kid: options.kid, created, expires, detached: options.detached ?? false });
}

export type KeyResolver = (kid: string, senderId: string) => KeyObject | undefined | Promise<KeyObject | undefined>;

export interface VerifyOptions {
  now?: Date;
  maxSkewSeconds?: number;
  maxLifetimeSeconds?: number;
}

export type VerifyResult =
  | { ok: true; kid: string; senderId: string; scheme: SignatureScheme }
  | { ok: false; code: 'err.signature.invalid' | 'err.signature.missing'; reason: string };

const invalid = (reason: string): VerifyResult => ({ ok: false, code: 'err.signature.invalid', reason });

export async function verifyEnvelope(
  envelope: { signature?: unknown; header: unknown; message: unknown },
  resolveKey: KeyResolver,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const { signature, header, message } = envelope;
  if (signature === undefined || signature === null || signature === '') {
    return { ok: false, code: 'err.signature.missing', reason: 'the envelope has no signature' };
  }
  if (typeof signature !== 'string') return invalid('signature must be a string');
  const headerSender = header && typeof header === 'object' ? (header as { sender_id?: unknown }).sender_id : undefined;
  const content = { header, message };

  if (looksLikeDciSignature(signature)) {
    const parts = parseDciSignature(signature);
    if (typeof parts === 'string') return invalid(parts);
    if (headerSender !== undefined && headerSender !== parts.senderId) return invalid('kidId sender does not match header.sender_id');
    const timeProblem = checkTimes(parts.created, parts.expires, options);
    if (timeProblem) return invalid(timeProblem);
    const key = await resolveKey(parts.keyId, parts.senderId);
    if (!key) return invalid(`no public key '${parts.keyId}' for sender '${parts.senderId}'`);
    const matches = (['jcs', 'python'] as const).some((variant) =>
      verifyText(key, parts.algorithm, signingString(parts.created, parts.expires, digestOf(content, variant)), parts.signature),
    );
    return matches ? { ok: true, kid: parts.keyId, senderId: parts.senderId, scheme: 'dci-signature' } : invalid('signature does not match the message');
  }

  if (looksLikeJws(signature)) {
    const info = readJwsHeader(signature);
    if (typeof info === 'string') return invalid(info);
    if (typeof headerSender !== 'string' || headerSender === '') return invalid('a JWS signature needs header.sender_id');
    const timeProblem = checkTimes(info.created, info.expires, options);
    if (timeProblem) return invalid(timeProblem);
    const key = await resolveKey(info.kid, headerSender);
    if (!key) return invalid(`no public key '${info.kid}' for sender '${headerSender}'`);
    const matches = await verifyJws(signature, info, key, [canonicalJson(content), pythonSortedJson(content)]);
    return matches ? { ok: true, kid: info.kid, senderId: headerSender, scheme: 'jws' } : invalid('signature does not match the message');
  }

  return invalid('unrecognised signature format');
}

function checkTimes(created: number, expires: number, options: VerifyOptions): string | undefined {
  const now = unixSeconds(options.now ?? new Date());
  const skew = options.maxSkewSeconds ?? 60;
  if (expires <= created) return 'expires must be after created';
  if (expires - created > (options.maxLifetimeSeconds ?? 300)) return 'signature lifetime is too long';
  if (created > now + skew) return 'signature created in the future';
  if (expires < now - skew) return 'signature expired';
  return undefined;
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
