/**
 * Scheme 1, the "DCI signature string" from the spec's MsgSignature example:
 *   namespace="dci", kidId="{sender_id}|{key_id}|ed25519", algorithm="ed25519",
 *   created="{unix}", expires="{unix}", headers="(created) (expires) digest", signature="{base64}"
 * The signature covers `(created): {created}\n(expires): {expires}\ndigest: {digest}`.
 */
import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { keyFamily } from './keys.js';
import type { KeyFamily } from './keys.js';

export const DCI_NAMESPACE = 'dci';
/** The spec's own example uses "spdci"; both are accepted when verifying. */
const ACCEPTED_NAMESPACES = ['dci', 'spdci'];
export const SIGNED_HEADERS = '(created) (expires) digest';

export const DCI_SIGNATURE_ALGORITHMS = {
  ed25519: 'ed25519',
  'rsa-sha256': 'rsa',
  'ecdsa-p256-sha256': 'p256',
} as const satisfies Record<string, KeyFamily>;
export type DciSignatureAlgorithm = keyof typeof DCI_SIGNATURE_ALGORITHMS;

export interface DciSignatureParts {
  senderId: string;
  keyId: string;
  algorithm: DciSignatureAlgorithm;
  created: number;
  expires: number;
  /** base64 */
  signature: string;
}

export function signingString(created: number, expires: number, digest: string): string {
  return `(created): ${created}\n(expires): ${expires}\ndigest: ${digest}`;
}

export function formatDciSignature(parts: DciSignatureParts): string {
  return [
    `namespace="${DCI_NAMESPACE}"`,
    `kidId="${parts.senderId}|${parts.keyId}|${parts.algorithm}"`,
    `algorithm="${parts.algorithm}"`,
    `created="${parts.created}"`,
    `expires="${parts.expires}"`,
    `headers="${SIGNED_HEADERS}"`,
    `signature="${parts.signature}"`,
  ].join(', ');
}

export function looksLikeDciSignature(value: string): boolean {
  return /^\s*(Signature:\s*)?namespace="/i.test(value);
}

/** Parses a signature string, or returns the reason it is malformed. */
export function parseDciSignature(value: string): DciSignatureParts | string {
  const params = new Map<string, string>();
  const body = value.replace(/^\s*Signature:\s*/i, '');
  const param = /\s*([A-Za-z]+)="([^"]*)"\s*(,|$)/y;
  while (param.lastIndex < body.length) {
    const match = param.exec(body);
    if (!match) return 'malformed signature parameters';
    if (params.has(match[1]!)) return `duplicate parameter ${match[1]}`;
    params.set(match[1]!, match[2]!);
    if (match[3] === '') break;
  }
  const namespace = params.get('namespace');
  if (!namespace || !ACCEPTED_NAMESPACES.includes(namespace)) return 'unknown namespace';
  const algorithm = params.get('algorithm');
  if (!algorithm || !Object.hasOwn(DCI_SIGNATURE_ALGORITHMS, algorithm)) return 'unsupported algorithm';
  const kid = (params.get('kidId') ?? '').split('|');
  if (kid.length !== 3 || !kid[0] || !kid[1] || kid[2] !== algorithm) return 'kidId must be "{sender_id}|{key_id}|{algorithm}"';
  if (params.get('headers') !== SIGNED_HEADERS) return `headers must be "${SIGNED_HEADERS}"`;
  const created = unixTime(params.get('created'));
  const expires = unixTime(params.get('expires'));
  if (created === undefined || expires === undefined) return 'created and expires must be unix times';
  const signature = params.get('signature');
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return 'signature must be base64';
  return { senderId: kid[0], keyId: kid[1], algorithm: algorithm as DciSignatureAlgorithm, created, expires, signature };
}

function unixTime(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

/** The scheme-1 algorithm name for a key, if we support it. */
export function algorithmForKey(key: KeyObject): DciSignatureAlgorithm | undefined {
  const family = keyFamily(key);
  return (Object.keys(DCI_SIGNATURE_ALGORITHMS) as DciSignatureAlgorithm[]).find((a) => DCI_SIGNATURE_ALGORITHMS[a] === family);
}

const hashOf = (algorithm: DciSignatureAlgorithm) => (algorithm === 'ed25519' ? null : 'sha256');

export function signText(key: KeyObject, algorithm: DciSignatureAlgorithm, text: string): string {
  const options = algorithm === 'ecdsa-p256-sha256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return sign(hashOf(algorithm), Buffer.from(text, 'utf8'), options).toString('base64');
}

/** ECDSA signatures are accepted in both raw (IEEE P1363) and DER encodings. */
export function verifyText(key: KeyObject, algorithm: DciSignatureAlgorithm, text: string, signature: string): boolean {
  if (keyFamily(key) !== DCI_SIGNATURE_ALGORITHMS[algorithm]) return false;
  const data = Buffer.from(text, 'utf8');
  const sig = Buffer.from(signature, 'base64');
  if (algorithm !== 'ecdsa-p256-sha256') return verify(hashOf(algorithm), data, key, sig);
  return (['ieee-p1363', 'der'] as const).some((dsaEncoding) => {
    try {
      return verify('sha256', data, { key, dsaEncoding }, sig);
    } catch {
      return false;
    }
  });
}
