/**
 * The one catalogue of DCI statuses and reason codes used by the server.
 *
 * Codes come from two places: the spec's enums (kept in the groups below so a
 * test can check them against the YAML) and our own `err.*` / `rjct.*` codes for
 * situations the spec does not name. Every code carries a default HTTP status,
 * a default message and the spec `Error.code` it maps to in an ACK error body
 * (the spec's `Error.code` is a closed enum, so our own codes cannot go there).
 */
import { randomUUID } from 'node:crypto';

export const DCI_STATUSES = ['rcvd', 'pdng', 'succ', 'rjct'] as const;
export type DciStatus = (typeof DCI_STATUSES)[number];

/** `components.schemas.Error.properties.code.enum` */
export const SPEC_ERROR_CODES = [
  'err.request.bad',
  'err.request.unauthorized',
  'err.request.forbidden',
  'err.request.not_found',
  'err.request.timeout',
  'err.version.not_supported',
  'err.request.too_many_requests',
  'err.sender_id.invalid',
  'err.sender_uri.invalid',
  'err.receiver_id.invalid',
  'err.signature.missing',
  'err.signature.invalid',
  'err.encryption.invalid',
  'err.service.unavailable',
] as const;
export type SpecErrorCode = (typeof SPEC_ERROR_CODES)[number];

/** `MsgHeaderStatusReasonCode` */
export const MSG_HEADER_REASON_CODES = [
  'rjct.version.invalid',
  'rjct.message_id.duplicate',
  'rjct.message_ts.invalid',
  'rjct.action.invalid',
  'rjct.action.not_supported',
  'rjct.total_count.invalid',
  'rjct.total_count.limit_exceeded',
  'rjct.errors.too_many',
] as const;

/** `SearchStatusReasonCode` */
export const SEARCH_REASON_CODES = [
  'rjct.reference_id.invalid',
  'rjct.reference_id.duplicate',
  'rjct.timestamp.invalid',
  'rjct.search_criteria.invalid',
  'rjct.filter.invalid',
  'rjct.sort.invalid',
  'rjct.pagination.invalid',
  'rjct.search.too_many_records_found',
] as const;

/** `SubscribeStatusReasonCode` */
export const SUBSCRIBE_REASON_CODES = [
  'rjct.reference_id.invalid',
  'rjct.reference_id.duplicate',
  'rjct.timestamp.invalid',
  'rjct.notify_types.invalid',
  'rjct.notify_details.invalid',
  'rjct.person_id.invalid',
  'rjct.event.already_subscribed',
] as const;

/** `UnSubscribeStatusReasonCode` */
export const UNSUBSCRIBE_REASON_CODES = [
  'rjct.reference_id.invalid',
  'rjct.reference_id.duplicate',
  'rjct.timestamp.invalid',
  'rjct.subscription_code.invalid',
  'rjct.requester.invalid',
  'rjct.event.already_unsubscribed',
] as const;

interface CodeInfo {
  readonly httpStatus: number;
  readonly message: string;
  /** The spec `Error.code` used when this code is reported in an ACK error body. */
  readonly ackCode: SpecErrorCode;
}

const bad = (message: string, httpStatus = 400): CodeInfo => ({ httpStatus, message, ackCode: 'err.request.bad' });

const CATALOGUE = {
  // Spec transport errors (components.schemas.Error).
  'err.request.bad': bad('The request is invalid'),
  'err.request.unauthorized': { httpStatus: 401, message: 'Not authenticated', ackCode: 'err.request.unauthorized' },
  'err.request.forbidden': { httpStatus: 403, message: 'Not allowed', ackCode: 'err.request.forbidden' },
  'err.request.not_found': { httpStatus: 404, message: 'Not found', ackCode: 'err.request.not_found' },
  'err.request.timeout': { httpStatus: 408, message: 'The request timed out', ackCode: 'err.request.timeout' },
  'err.version.not_supported': { httpStatus: 400, message: 'Protocol version not supported', ackCode: 'err.version.not_supported' },
  'err.request.too_many_requests': { httpStatus: 429, message: 'Too many requests', ackCode: 'err.request.too_many_requests' },
  'err.sender_id.invalid': { httpStatus: 400, message: 'Invalid sender_id', ackCode: 'err.sender_id.invalid' },
  'err.sender_uri.invalid': { httpStatus: 400, message: 'Invalid sender_uri', ackCode: 'err.sender_uri.invalid' },
  'err.receiver_id.invalid': { httpStatus: 400, message: 'Invalid receiver_id', ackCode: 'err.receiver_id.invalid' },
  'err.signature.missing': { httpStatus: 401, message: 'The message signature is missing', ackCode: 'err.signature.missing' },
  'err.signature.invalid': { httpStatus: 401, message: 'The message signature is invalid', ackCode: 'err.signature.invalid' },
  'err.encryption.invalid': { httpStatus: 400, message: 'The message encryption is invalid', ackCode: 'err.encryption.invalid' },
  'err.service.unavailable': { httpStatus: 503, message: 'Service unavailable', ackCode: 'err.service.unavailable' },

  // Our own transport errors.
  'err.request.unsupported_media_type': bad('Content-Type must be application/json', 415),
  'err.request.too_large': bad('The request body is too large', 413),
  'err.request.malformed_json': bad('The request body is not valid JSON'),
  'err.request.unsupported_encoding': bad('Content-Encoding must be identity, gzip, deflate or br', 415),
  'err.request.unreadable_body': bad('The request body could not be read (bad compression, length or UTF-8)'),
  'err.request.too_deep': bad('The JSON nests too deeply'),
  'err.request.value_too_long': bad('A string or identifier in the request is too long'),
  'err.request.invalid_string': bad('Strings must not contain U+0000 or unpaired surrogates'),
  'err.request.method_not_allowed': bad('This endpoint only accepts POST', 405),
  'err.sender.unknown': { httpStatus: 401, message: 'Unknown sender', ackCode: 'err.sender_id.invalid' },
  'err.sender.inactive': { httpStatus: 403, message: 'The sender is not active', ackCode: 'err.request.forbidden' },
  'err.auth.missing_token': { httpStatus: 401, message: 'A bearer token is required', ackCode: 'err.request.unauthorized' },
  'err.auth.invalid_token': { httpStatus: 401, message: 'The bearer token is invalid', ackCode: 'err.request.unauthorized' },
  'err.operation.not_allowed': { httpStatus: 403, message: 'The sender may not perform this operation', ackCode: 'err.request.forbidden' },
  'err.agreement.missing': { httpStatus: 403, message: 'No data-sharing agreement covers this request', ackCode: 'err.request.forbidden' },
  'err.rate_limited': { httpStatus: 429, message: 'Rate limit exceeded', ackCode: 'err.request.too_many_requests' },
  'err.quota.exceeded': { httpStatus: 429, message: "The data-sharing agreement's daily quota is used up", ackCode: 'err.request.too_many_requests' },
  'err.internal': { httpStatus: 500, message: 'Internal error', ackCode: 'err.service.unavailable' },
  // 499 (client closed request): recorded in the audit, never seen by the client that left.
  'err.request.aborted': { httpStatus: 499, message: 'The client closed the connection before the exchange was complete', ackCode: 'err.request.bad' },

  // Spec header reason codes.
  'rjct.version.invalid': bad('Invalid protocol version'),
  'rjct.message_id.duplicate': bad('Duplicate message_id', 409),
  'rjct.message_ts.invalid': bad('Invalid message_ts'),
  'rjct.action.invalid': bad('Invalid action for this endpoint'),
  'rjct.action.not_supported': bad('Action not supported'),
  'rjct.total_count.invalid': bad('total_count does not match the number of requests'),
  'rjct.total_count.limit_exceeded': bad('Too many requests in one message'),
  'rjct.errors.too_many': bad('Too many errors'),

  // Spec search / subscribe / unsubscribe reason codes.
  'rjct.reference_id.invalid': bad('Invalid reference_id'),
  'rjct.reference_id.duplicate': bad('Duplicate reference_id'),
  'rjct.timestamp.invalid': bad('Invalid timestamp'),
  'rjct.search_criteria.invalid': bad('Invalid search criteria'),
  'rjct.filter.invalid': bad('Invalid filter'),
  'rjct.sort.invalid': bad('Invalid sort'),
  'rjct.pagination.invalid': bad('Invalid pagination'),
  'rjct.search.too_many_records_found': bad('Too many records found'),
  'rjct.notify_types.invalid': bad('Invalid notify types'),
  'rjct.notify_details.invalid': bad('Invalid notify details'),
  'rjct.person_id.invalid': bad('Invalid person id'),
  'rjct.event.already_subscribed': bad('Already subscribed', 409),
  'rjct.subscription_code.invalid': bad('Invalid subscription code'),
  'rjct.requester.invalid': bad('Invalid requester'),
  'rjct.event.already_unsubscribed': bad('Already unsubscribed', 409),

  // Our own reason codes.
  'rjct.version.unsupported': bad('Protocol version not supported'),
  'rjct.sender_id.invalid': bad('header.sender_id does not match the authenticated sender'),
  'rjct.receiver_id.invalid': bad('header.receiver_id does not name this registry'),
  'rjct.query_type.invalid': bad('Unsupported query_type'),
  'rjct.attribute.invalid': bad('Unknown or not allowed attribute'),
  'rjct.record_type.invalid': bad('Unknown record type'),
  'rjct.verify_criteria.invalid': bad('Invalid verify criteria'),
  'rjct.search.timeout': bad('The search took longer than the server allows'),
  'rjct.agreement.not_covered': { httpStatus: 403, message: 'The data-sharing agreement does not cover this request', ackCode: 'err.request.forbidden' },
  'rjct.attribute.not_visible': {
    httpStatus: 403,
    message: 'The data-sharing agreement hides this field from the sender, so it cannot be used to filter, sort or subscribe',
    ackCode: 'err.request.forbidden',
  },
  'rjct.transaction.not_found': { httpStatus: 404, message: 'No transaction of this sender matches', ackCode: 'err.request.not_found' },
} as const satisfies Record<string, CodeInfo>;

export type DciCode = keyof typeof CATALOGUE;

/** Every code of the catalogue, in catalogue order (for documentation). */
export const DCI_CODES = Object.keys(CATALOGUE) as DciCode[];

export function isDciCode(value: string): value is DciCode {
  return Object.hasOwn(CATALOGUE, value);
}

export function codeInfo(code: DciCode): CodeInfo {
  return CATALOGUE[code];
}

export class DciError extends Error {
  readonly code: DciCode;
  readonly httpStatus: number;
  readonly details: unknown;

  constructor(code: DciCode, message?: string, details?: unknown) {
    const info = CATALOGUE[code];
    super(message ?? info.message);
    this.name = 'DciError';
    this.code = code;
    this.httpStatus = info.httpStatus;
    this.details = details;
  }
}

/**
 * Error body that validates against BOTH spec shapes a client may expect:
 * `components.responses.Response` (`message.ack_status = ERR` with the spec error
 * code) and `components.responses.HttpErrorResponse` (`errors[]`, where our
 * precise code goes, since that code is a free string there).
 */
export interface DciErrorBody {
  message: {
    ack_status: 'ERR';
    timestamp: string;
    correlation_id: string;
    error: { code: SpecErrorCode; message: string };
  };
  errors: { code: DciCode; message: string }[];
}

export interface ErrorBodyOptions {
  correlationId?: string;
  now?: Date;
}

/** Builds the response body for any thrown value; non-DciErrors never leak their text. */
export function errorBody(error: unknown, options: ErrorBodyOptions = {}): { httpStatus: number; body: DciErrorBody } {
  const dciError = error instanceof DciError ? error : new DciError('err.internal');
  const message = dciError.message.slice(0, 999); // spec Error.message maxLength
  return {
    httpStatus: dciError.httpStatus,
    body: {
      message: {
        ack_status: 'ERR',
        timestamp: (options.now ?? new Date()).toISOString(),
        correlation_id: options.correlationId ?? randomUUID(),
        error: { code: CATALOGUE[dciError.code].ackCode, message },
      },
      errors: [{ code: dciError.code, message }],
    },
  };
}
