/**
 * The compact request form (see spec/EXTENSIONS.md), mapped onto standard DCI messages:
 *   {transaction_id, sender_id, search_criteria: {national_id: "123", ...}}
 *   {transaction_id, sender_id, verify: {national_id: "123", is_alive: true}}
 *   {transaction_id, sender_id, subscription: {event_type: "death", callback_url}}
 * The result is an unsigned envelope that goes through the normal pipeline.
 */
import { randomUUID } from 'node:crypto';
import { DciError } from './errors.js';
import { translateSearchCriteria } from './query/translate.js';
import { getAjv, run } from './schemas.js';
import type { MsgHeader, SearchCriteria, SearchRequest, SubscribeRequest } from './types.js';
import { SUPPORTED_CLAIMS, VERIFY_ACTION, VERIFY_REQUEST_SCHEMA } from './verify.js';
import type { VerifyRequest } from './verify.js';
import type { ValidateFunction } from 'ajv';

/** Compact identifier keys and the DCI identifier types they stand for. */
export const COMPACT_IDENTIFIER_KEYS = { national_id: 'NationalID', uin: 'UIN', brn: 'BRN' } as const;

/** Compact event types and the reg_event_type they become. */
export const COMPACT_EVENT_TYPES = {
  register: 'REGISTER',
  update: 'UPDATE',
  birth: 'LiveBirth',
  death: 'Death',
  marriage: 'Marriage',
  divorce: 'Divorce',
  new_household_member: 'NewHouseHoldMember',
} as const;

const identifierValue = { type: ['string', 'integer'], minLength: 1, maxLength: 256 };
const identifierProperties = Object.fromEntries(Object.keys(COMPACT_IDENTIFIER_KEYS).map((key) => [key, identifierValue]));
const claimProperties = VERIFY_REQUEST_SCHEMA.properties.verify_request.items.properties.verify_criteria.properties.claims.properties;

export const COMPACT_SCHEMA = {
  type: 'object',
  required: ['transaction_id', 'sender_id'],
  additionalProperties: false,
  properties: {
    transaction_id: { type: 'string', minLength: 1, maxLength: 99 },
    sender_id: { type: 'string', minLength: 1, maxLength: 256 },
    // Other keys must be whitelisted Person attributes; the query translator checks them.
    search_criteria: {
      type: 'object',
      minProperties: 1,
      maxProperties: 20,
      properties: identifierProperties,
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    verify: {
      type: 'object',
      additionalProperties: false,
      properties: { ...identifierProperties, ...claimProperties },
    },
    subscription: {
      type: 'object',
      required: ['event_type', 'callback_url'],
      additionalProperties: false,
      properties: {
        event_type: { enum: Object.keys(COMPACT_EVENT_TYPES) },
        callback_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
      },
    },
  },
} as const;

export type CompactAction = 'search' | 'verify' | 'subscribe';

export interface CompactTranslation {
  action: CompactAction;
  header: MsgHeader;
  message: SearchRequest | VerifyRequest | SubscribeRequest;
}

export interface CompactOptions {
  now?: Date;
  messageId?: string;
}

let validateCompact: ValidateFunction | undefined;

const bad = (message: string, errors?: string[]) => new DciError('err.request.bad', message, errors ? { errors } : undefined);

export function translateCompactRequest(body: unknown, options: CompactOptions = {}): CompactTranslation {
  validateCompact ??= getAjv().compile(COMPACT_SCHEMA);
  const result = run(validateCompact, body);
  if (!result.ok) throw bad(`Invalid compact request: ${result.errors.join('; ')}`, result.errors);
  const request = body as {
    transaction_id: string;
    sender_id: string;
    search_criteria?: Record<string, string | number | boolean>;
    verify?: Record<string, string | number | boolean>;
    subscription?: { event_type: keyof typeof COMPACT_EVENT_TYPES; callback_url: string };
  };
  const kinds = (['search_criteria', 'verify', 'subscription'] as const).filter((key) => request[key] !== undefined);
  if (kinds.length !== 1) throw bad('A compact request needs exactly one of search_criteria, verify or subscription');

  const now = (options.now ?? new Date()).toISOString();
  const header = (action: string, senderUri?: string): MsgHeader => ({
    version: '1.0.0',
    message_id: options.messageId ?? randomUUID(),
    message_ts: now,
    action,
    sender_id: request.sender_id,
    ...(senderUri ? { sender_uri: senderUri } : {}),
    total_count: 1,
  });
  const item = { reference_id: request.transaction_id, timestamp: now };

  if (request.search_criteria) {
    const criteria = compactSearchCriteria(request.search_criteria);
    translateSearchCriteria(criteria); // throws the same rjct errors a standard request would get
    return { action: 'search', header: header('search'), message: { transaction_id: request.transaction_id, search_request: [{ ...item, search_criteria: criteria }] } };
  }
  if (request.verify) {
    const { identifier, rest: claims } = splitIdentifier(request.verify);
    if (!identifier) throw bad(`verify needs exactly one of ${Object.keys(COMPACT_IDENTIFIER_KEYS).join(', ')}`);
    if (Object.keys(claims).length === 0) throw bad(`verify needs at least one claim (${Object.keys(SUPPORTED_CLAIMS).join(', ')})`);
    return {
      action: 'verify',
      header: header(VERIFY_ACTION),
      message: { transaction_id: request.transaction_id, verify_request: [{ ...item, verify_criteria: { reg_record_type: 'Person', identifier, claims } }] },
    };
  }
  const subscription = request.subscription!;
  return {
    action: 'subscribe',
    header: header('subscribe', subscription.callback_url),
    message: {
      transaction_id: request.transaction_id,
      subscribe_request: [
        {
          ...item,
          subscribe_criteria: {
            reg_event_type: COMPACT_EVENT_TYPES[subscription.event_type],
            filter_type: 'expression',
            // An empty expression: every Person record (see EXTENSIONS.md).
            filter: { type: 'expression', value: { expression: { collection: 'Person', query: {} } } },
            notify_record_type: 'Person',
          },
        },
      ],
    },
  };
}

/** One identifier alone → idtype-value; otherwise an expression ANDing equality on every key. */
function compactSearchCriteria(fields: Record<string, string | number | boolean>): SearchCriteria {
  const { identifier, rest } = splitIdentifier(fields);
  if (identifier && Object.keys(rest).length === 0) {
    return { reg_record_type: 'Person', query_type: 'idtype-value', query: identifier };
  }
  const conditions = Object.entries(fields).map(([key, value]) => ({
    [Object.hasOwn(COMPACT_IDENTIFIER_KEYS, key) ? COMPACT_IDENTIFIER_KEYS[key as keyof typeof COMPACT_IDENTIFIER_KEYS] : key]: { $eq: value },
  }));
  return {
    reg_record_type: 'Person',
    query_type: 'expression',
    query: { type: 'expression', value: { expression: { collection: 'Person', query: { $and: conditions } } } },
  };
}

function splitIdentifier(fields: Record<string, string | number | boolean>): {
  identifier: { type: string; value: string } | undefined;
  rest: Record<string, string | number | boolean>;
} {
  const rest = { ...fields };
  const keys = Object.keys(COMPACT_IDENTIFIER_KEYS).filter((key) => Object.hasOwn(fields, key)) as (keyof typeof COMPACT_IDENTIFIER_KEYS)[];
  for (const key of keys) delete rest[key];
  if (keys.length !== 1) return { identifier: undefined, rest };
  return { identifier: { type: COMPACT_IDENTIFIER_KEYS[keys[0]!], value: String(fields[keys[0]!]) }, rest };
}
