/**
 * VERIFY: our extension to the DCI social registry API (see spec/EXTENSIONS.md).
 * A caller asks "does the record with this identifier match these claims?" and
 * gets yes / no / unknown per claim, never the record's values.
 */
import type { DciStatus } from './errors.js';

export const VERIFY_ACTION = 'verify';
export const ON_VERIFY_ACTION = 'on-verify';

export type ClaimType = 'boolean' | 'date' | 'string';

/** Claims we can evaluate, by the record field they are compared with. */
export const SUPPORTED_CLAIMS = {
  is_alive: 'boolean',
  is_disabled: 'boolean',
  birth_date: 'date',
  death_date: 'date',
  given_name: 'string',
  second_name: 'string',
  surname: 'string',
  sex: 'string',
  marital_status: 'string',
  location: 'string',
  city: 'string',
  postal_code: 'string',
  country: 'string',
} as const satisfies Record<string, ClaimType>;

export type ClaimName = keyof typeof SUPPORTED_CLAIMS;
export type ClaimResult = true | false | 'unknown';
export type Claims = Partial<Record<ClaimName, string | boolean>> & Record<string, unknown>;

export interface VerifyRequestItem {
  reference_id: string;
  timestamp: string;
  verify_criteria: {
    reg_type?: string;
    reg_record_type?: string;
    identifier: { type: string; value: string };
    claims: Claims;
  };
  locale?: string;
}

export interface VerifyRequest {
  transaction_id: string;
  verify_request: VerifyRequestItem[];
}

export interface VerifyResponseItem {
  reference_id: string;
  timestamp: string;
  status: DciStatus;
  status_reason_code?: string;
  status_reason_message?: string;
  data?: { claims: Record<string, ClaimResult> };
}

export interface VerifyResponse {
  transaction_id: string;
  correlation_id: string;
  verify_response: VerifyResponseItem[];
}

const CLAIM_SCHEMAS: Record<ClaimType, object> = {
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  string: { type: 'string', minLength: 1, maxLength: 256 },
};

const claimProperties = Object.fromEntries(
  Object.entries(SUPPORTED_CLAIMS).map(([name, type]) => [name, CLAIM_SCHEMAS[type]]),
);

const timestamp = { type: 'string', format: 'date-time' };
const id99 = { type: 'string', minLength: 1, maxLength: 99 };

/** JSON schema of the VERIFY request message. Unsupported claim names pass and evaluate to 'unknown'. */
export const VERIFY_REQUEST_SCHEMA = {
  type: 'object',
  required: ['transaction_id', 'verify_request'],
  properties: {
    transaction_id: id99,
    verify_request: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['reference_id', 'timestamp', 'verify_criteria'],
        properties: {
          reference_id: id99,
          timestamp,
          locale: { type: 'string', pattern: '^[a-z]{3}$' },
          verify_criteria: {
            type: 'object',
            required: ['identifier', 'claims'],
            properties: {
              reg_type: { type: 'string' },
              reg_record_type: { type: 'string' },
              identifier: {
                type: 'object',
                required: ['type', 'value'],
                properties: {
                  type: { type: 'string', minLength: 1, maxLength: 64 },
                  value: { type: 'string', minLength: 1, maxLength: 256 },
                },
              },
              claims: { type: 'object', minProperties: 1, maxProperties: 50, properties: claimProperties },
            },
          },
        },
      },
    },
  },
} as const;

/** JSON schema of the VERIFY response message. */
export const VERIFY_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['transaction_id', 'correlation_id', 'verify_response'],
  properties: {
    transaction_id: id99,
    correlation_id: id99,
    verify_response: {
      type: 'array',
      items: {
        type: 'object',
        required: ['reference_id', 'timestamp', 'status'],
        properties: {
          reference_id: id99,
          timestamp,
          status: { enum: ['rcvd', 'pdng', 'succ', 'rjct'] },
          status_reason_code: { type: 'string' },
          status_reason_message: { type: 'string', maxLength: 999 },
          data: {
            type: 'object',
            required: ['claims'],
            properties: {
              claims: { type: 'object', additionalProperties: { enum: [true, false, 'unknown'] } },
            },
          },
        },
      },
    },
  },
} as const;

/**
 * Compares each claim with the record. 'unknown' when there is no record, the
 * record lacks the field, or the claim is not supported or not comparable.
 */
export function evaluateClaims(
  record: Readonly<Record<string, unknown>> | undefined,
  claims: Readonly<Record<string, unknown>>,
): Record<string, ClaimResult> {
  const results: Record<string, ClaimResult> = {};
  for (const [name, claimed] of Object.entries(claims)) {
    results[name] = evaluateClaim(record, name, claimed);
  }
  return results;
}

function evaluateClaim(record: Readonly<Record<string, unknown>> | undefined, name: string, claimed: unknown): ClaimResult {
  if (!record || !Object.hasOwn(SUPPORTED_CLAIMS, name) || !Object.hasOwn(record, name)) return 'unknown';
  const actual = record[name];
  if (actual === null || actual === undefined) return 'unknown';
  switch (SUPPORTED_CLAIMS[name as ClaimName]) {
    case 'boolean':
      return typeof claimed === 'boolean' && typeof actual === 'boolean' ? claimed === actual : 'unknown';
    case 'date': {
      const a = datePart(actual);
      const c = datePart(claimed);
      return a && c ? a === c : 'unknown';
    }
    case 'string':
      return typeof claimed === 'string' && typeof actual === 'string' ? foldText(claimed) === foldText(actual) : 'unknown';
  }
}

/** YYYY-MM-DD of an ISO date / date-time string or a Date (UTC), else undefined. */
function datePart(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const day = value.slice(0, 10);
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day ? day : undefined;
}

/** Names differ in case, spacing and Unicode composition between systems. */
function foldText(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}
