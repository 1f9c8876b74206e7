/**
 * ajv validation of DCI messages against the spec's own JSON schemas.
 *
 * The whole OpenAPI document is added to ajv under SOCIAL_SPEC_ID and each
 * message schema is a `$ref` (JSON pointer) into it, so nothing is copied.
 * Validators compile once, lazily, or all at start-up via compileAll().
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { CRVS_SPEC_ID, SOCIAL_SPEC_ID, loadCrvsSpec, loadSocialSpec } from './spec-document.js';
import { ON_VERIFY_ACTION, VERIFY_ACTION, VERIFY_REQUEST_SCHEMA, VERIFY_RESPONSE_SCHEMA } from './verify.js';

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

const specRef = (pointer: string) => ({ $ref: `${SOCIAL_SPEC_ID}#${pointer}` });
const crvsRequestBody = (path: string) => ({ $ref: `${CRVS_SPEC_ID}#/paths/${escape(path)}/post/requestBody/content/application~1json/schema` });
const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');
const requestBody = (path: string) => specRef(`/paths/${escape(path)}/post/requestBody/content/application~1json/schema`);
const syncResponse = (path: string) => specRef(`/paths/${escape(path)}/post/responses/default/content/application~1json/schema`);
const schemaRef = (name: string) => specRef(`/components/schemas/${escape(name)}`);

/** Envelope for our VERIFY extension, built like the spec's own request bodies. */
function verifyEnvelope(action: string, header: string, message: object) {
  return {
    type: 'object',
    required: ['header', 'message'],
    properties: {
      signature: schemaRef('MsgSignature'),
      header: { allOf: [schemaRef(header), { properties: { action: { enum: [action] } } }] },
      message: { type: 'object', oneOf: [message, schemaRef('EncryptedMessage')] },
    },
  };
}

/** Inbound endpoints: the 11 spec paths plus our VERIFY extension. */
const REQUEST_SCHEMAS = {
  '/registry/search': requestBody('/registry/search'),
  '/registry/on-search': requestBody('/registry/on-search'),
  '/registry/subscribe': requestBody('/registry/subscribe'),
  '/registry/on-subscribe': requestBody('/registry/on-subscribe'),
  '/registry/notify': requestBody('/registry/notify'),
  '/registry/unsubscribe': requestBody('/registry/unsubscribe'),
  '/registry/on-unsubscribe': requestBody('/registry/on-unsubscribe'),
  '/registry/txn/status': requestBody('/registry/txn/status'),
  '/registry/txn/on-status': requestBody('/registry/txn/on-status'),
  '/registry/sync/search': requestBody('/registry/sync/search'),
  '/registry/sync/txn/status': requestBody('/registry/sync/txn/status'),
  '/registry/verify': verifyEnvelope(VERIFY_ACTION, 'MsgHeader_V1.0.0', VERIFY_REQUEST_SCHEMA),
  '/registry/sync/verify': verifyEnvelope(VERIFY_ACTION, 'MsgHeader_V1.0.0', VERIFY_REQUEST_SCHEMA),
  /** Inbound notify of vital events, as a civil registry sends them (CRVS spec). */
  'crvs:/registry/notify': crvsRequestBody('/registry/notify'),
} as const;

/** What we send: sync responses, callbacks, notifications and ACK / error bodies. */
const OUTBOUND_SCHEMAS = {
  'sync-search-response': syncResponse('/registry/sync/search'),
  'sync-txn-status-response': syncResponse('/registry/sync/txn/status'),
  'on-search': requestBody('/registry/on-search'),
  'txn-on-status': requestBody('/registry/txn/on-status'),
  'on-subscribe': requestBody('/registry/on-subscribe'),
  'on-unsubscribe': requestBody('/registry/on-unsubscribe'),
  notify: requestBody('/registry/notify'),
  'crvs-notify': crvsRequestBody('/registry/notify'),
  ack: specRef('/components/responses/Response/content/application~1json/schema'),
  'http-error': specRef('/components/responses/HttpErrorResponse/content/application~1json/schema'),
  'sync-verify-response': verifyEnvelope(ON_VERIFY_ACTION, 'MsgCallbackHeader_V1.0.0', VERIFY_RESPONSE_SCHEMA),
  'on-verify': verifyEnvelope(ON_VERIFY_ACTION, 'MsgCallbackHeader_V1.0.0', VERIFY_RESPONSE_SCHEMA),
} as const;

export type RequestPath = keyof typeof REQUEST_SCHEMAS;
export type OutboundKind = keyof typeof OUTBOUND_SCHEMAS;
export const REQUEST_PATHS = Object.keys(REQUEST_SCHEMAS) as RequestPath[];
export const OUTBOUND_KINDS = Object.keys(OUTBOUND_SCHEMAS) as OutboundKind[];

let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** The shared ajv instance, configured for OpenAPI 3.0 schemas. */
export function getAjv(): Ajv {
  if (ajvInstance) return ajvInstance;
  // strict: false because OpenAPI 3.0 schemas carry keywords JSON Schema lacks (x-*, discriminator, xml...).
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS; under NodeNext its callable export sits on .default.
  formatsPlugin.default(ajv);
  // OpenAPI 3.0 keywords and formats, so they neither warn nor get silently dropped.
  ajv.addKeyword({ keyword: 'example' });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('binary', true);
  ajv.addSchema(loadSocialSpec(), SOCIAL_SPEC_ID);
  ajv.addSchema(loadCrvsSpec(), CRVS_SPEC_ID);
  ajvInstance = ajv;
  return ajv;
}

function validatorFor(key: string, schema: object): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = getAjv().compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Compiles every validator now, so a broken spec fails start-up rather than the first request. */
export function compileAll(): void {
  for (const path of REQUEST_PATHS) validatorFor(`request:${path}`, REQUEST_SCHEMAS[path]);
  for (const kind of OUTBOUND_KINDS) validatorFor(`outbound:${kind}`, OUTBOUND_SCHEMAS[kind]);
}

/** The JSON schema a request on `path` is validated with (`$ref`s are absolute, into the spec documents). */
export function requestSchema(path: RequestPath): object {
  return REQUEST_SCHEMAS[path];
}

/** The JSON schema an outbound message of `kind` is validated with. */
export function outboundSchema(kind: OutboundKind): object {
  return OUTBOUND_SCHEMAS[kind];
}

export function isRequestPath(path: string): path is RequestPath {
  return Object.hasOwn(REQUEST_SCHEMAS, path);
}

export function validateRequest(path: RequestPath, body: unknown): ValidationResult {
  return run(validatorFor(`request:${path}`, REQUEST_SCHEMAS[path]), body);
}

export function validateOutbound(kind: OutboundKind, body: unknown): ValidationResult {
  return run(validatorFor(`outbound:${kind}`, OUTBOUND_SCHEMAS[kind]), body);
}

/** Runs a compiled validator and turns ajv errors into readable lines. */
export function run(validate: ValidateFunction, body: unknown): ValidationResult {
  if (validate(body)) return { ok: true };
  return { ok: false, errors: readableErrors(validate.errors ?? [], body) };
}

/**
 * `message` is `oneOf [payload, EncryptedMessage]`: for a plain payload the
 * EncryptedMessage branch and the oneOf/anyOf summaries only add noise.
 */
function readableErrors(errors: readonly ErrorObject[], body: unknown): string[] {
  const encrypted = isEncrypted(body);
  let relevant = errors.filter((e) => encrypted || !e.schemaPath.includes('EncryptedMessage'));
  const detailed = relevant.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  if (detailed.length > 0) relevant = detailed;
  return [...new Set(relevant.map(describe))];
}

function isEncrypted(body: unknown): boolean {
  const message = body && typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
  return !!message && typeof message === 'object' && 'ciphertext' in message;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'body' : error.instancePath.slice(1).replaceAll('/', '.');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${where}: missing required property '${String(params.missingProperty)}'`;
  if (error.keyword === 'enum') return `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'format') return `${where}: must be a valid ${String(params.format)}`;
  return `${where}: ${error.message ?? error.keyword}`;
}
