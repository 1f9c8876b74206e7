/** What the SDK throws; item-level refusals (`status: 'rjct'` items) are answers, not errors. */

/** The token endpoint refused us (RFC 6749 error body). */
export class DciTokenError extends Error {
  override readonly name = 'DciTokenError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`token request failed (HTTP ${status}): ${error}${description ? `: ${description}` : ''}`);
  }
}

/** A DCI endpoint refused the request as a whole (a DCI error body: `errors[0].code` from our catalogue). */
export class DciRequestError extends Error {
  override readonly name = 'DciRequestError';
  constructor(
    readonly status: number,
    /** e.g. `err.signature.invalid`, `rjct.message_id.duplicate`; `http.<status>` when the body says nothing */
    readonly code: string,
    message: string,
    readonly correlationId: string | undefined,
    readonly body: unknown,
    /** Seconds to wait before trying again (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(`${code}: ${message} (HTTP ${status})`);
  }
}

/** An answer, callback or notification whose signature does not check out against the server's JWKS. */
export class DciSignatureError extends Error {
  override readonly name = 'DciSignatureError';
  constructor(
    readonly code: 'err.signature.invalid' | 'err.signature.missing',
    readonly reason: string,
  ) {
    super(`the server's signature is not valid: ${reason}`);
  }
}
