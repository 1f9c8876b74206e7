import { createHash } from 'node:crypto';
import { DciError } from '@dci-server/dci';
import express, { type Request, type RequestHandler } from 'express';
import type { Config } from '../config.js';
import { hasInvalidCharacter } from '../invalid-text.js';

type JsonLimits = Config['jsonLimits'];

/** Fields that name things (stored, indexed, echoed): they get the short id limit. Items of a list inherit its name. */
const ID_FIELDS = new Set(['message_id', 'transaction_id', 'reference_id', 'correlation_id', 'sender_id', 'receiver_id', 'subscription_code', 'subscription_codes']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const bodyDigests = new WeakMap<Request, string>();

/** Hex SHA-256 of the request body as received (after Content-Encoding), if one was read. */
export const bodyDigest = (req: Request): string | null => bodyDigests.get(req) ?? null;

/**
 * Reading a DCI body: JSON media type in UTF-8, at most BODY_LIMIT after decompression, digested,
 * then checked for nesting depth before parsing and for string and id lengths and characters
 * right after, before any handler work. On a refusal `req.body` holds what could be read, for the audit.
 */
export function readDciBody(config: Pick<Config, 'bodyLimit' | 'jsonLimits'>): RequestHandler[] {
  return [requireJson, express.raw({ limit: config.bodyLimit, type: () => true }), parseJson(config.jsonLimits)];
}

const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) return next(new DciError('err.request.unsupported_media_type', `Content-Type must be application/json, not ${req.headers['content-type'] ?? 'missing'}`));
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) return next(new DciError('err.request.unsupported_media_type', 'JSON must be sent in UTF-8 (RFC 8259)'));
  next();
};

function parseJson(limits: JsonLimits): RequestHandler {
  return (req, _res, next) => {
    const raw: unknown = req.body;
    req.body = undefined;
    if (!Buffer.isBuffer(raw)) return next();
    bodyDigests.set(req, createHash('sha256').update(raw).digest('hex'));
    try {
      const text = decodeUtf8(raw);
      req.body = text;
      checkDepth(text, limits.maxDepth);
      req.body = parseText(text);
      checkStrings(req.body, limits);
      next();
    } catch (error) {
      if (req.body === undefined) req.body = raw.toString('utf8');
      next(error);
    }
  };
}

function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new DciError('err.request.invalid_string', 'The request body is not valid UTF-8');
  }
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8 quotes the offending input in its message: keep only where it went wrong.
    const position = /at position \d+/.exec((error as Error).message)?.[0];
    throw new DciError('err.request.malformed_json', `The request body is not valid JSON${position ? ` (${position})` : ''}`);
  }
}

/** Counts brackets outside strings before parsing, so a deeply nested body costs nothing to refuse. */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw new DciError('err.request.too_deep', `The JSON nests deeper than ${maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Every key and string: valid characters, within its length limit (depth was bounded before parsing). */
function checkStrings(value: unknown, limits: JsonLimits): void {
  const trail: (string | number)[] = [];
  const where = () => trail.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('').replace(/^\./, '') || 'the body';
  const check = (text: string, max: number, what: string) => {
    if (text.length > max) throw new DciError('err.request.value_too_long', `${what} is ${text.length} characters long; at most ${max} are accepted`);
    if (hasInvalidCharacter(text)) throw new DciError('err.request.invalid_string', `${what} contains U+0000 or an unpaired surrogate, which are refused`);
  };
  const visit = (node: unknown, name: string | undefined) => {
    if (typeof node === 'string') check(node, name !== undefined && ID_FIELDS.has(name) ? limits.maxIdLength : limits.maxStringLength, where());
    else if (Array.isArray(node)) {
      node.forEach((item, index) => {
        trail.push(index);
        visit(item, name);
        trail.pop();
      });
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        check(key, limits.maxIdLength, `A key in ${where()}`);
        trail.push(key);
        visit(item, key);
        trail.pop();
      }
    }
  };
  visit(value, undefined);
}

/** What a failure while reading the body means for the client (body-parser's errors carry a `type`). */
export function readingError(error: unknown, bodyLimit: string): unknown {
  if (error instanceof DciError) return error;
  const { type, status } = error as { type?: string; status?: number };
  if (type === 'entity.too.large') return new DciError('err.request.too_large', `The request body is larger than ${bodyLimit}`);
  if (type === 'encoding.unsupported') return new DciError('err.request.unsupported_encoding');
  if (type === 'request.aborted') return new DciError('err.request.aborted');
  if (status !== undefined && status >= 400 && status < 500) return new DciError('err.request.unreadable_body');
  return error;
}
