import { randomUUID } from 'node:crypto';
import { signEnvelope, verifyEnvelope, type SignatureScheme } from '@dci-server/dci/signing';
import type {
  DciAck, MsgCallbackHeader, MsgHeader, SearchCriteria, SearchResponse, SearchResponseItem, SubscribeCriteria, SubscribeResponse,
  TxnStatusRequest, TxnStatusResponse, UnsubscribeResponse, VerifyRequestItem, VerifyResponse,
} from '@dci-server/dci/types';
import { DciRequestError, DciSignatureError } from './errors.js';
import { DEFAULT_REG_TYPE, items, newTransactionId, OPERATIONS, type OperationName } from './operations.js';
import { ServerKeys } from './server-keys.js';
import { TokenSource, type ClientAuth, type SigningKey } from './tokens.js';

export interface DciClientOptions {
  /** Where the server is, e.g. http://localhost:8080 */
  baseUrl: string;
  /** Our sender id, as registered on the server. */
  senderId: string;
  auth: ClientAuth;
  /** The key our envelopes (and private_key_jwt assertions) are signed with. */
  signingKey: SigningKey;
  /** Default: the DCI signature string. */
  scheme?: SignatureScheme;
  /** Default: `${baseUrl}/oauth2/client/token` */
  tokenUrl?: string;
  /** Default: `${baseUrl}/.well-known/jwks.json` */
  jwksUrl?: string;
  /** The server's keys, to share one cache between clients and receivers. */
  serverKeys?: ServerKeys;
  /** When set, answers must be signed as this server id (the server's RECEIVER_ID). */
  serverId?: string;
  /** Space-separated operations to ask a token for; default: all the sender may do. */
  scope?: string;
  fetch?: typeof fetch;
}

/** A signed envelope as sent or received. */
export interface SignedEnvelope<H, M> {
  signature: string;
  header: H;
  message: M;
}

/** A sync answer whose signature was checked against the server's JWKS. */
export interface DciAnswer<M> extends SignedEnvelope<MsgCallbackHeader, M> {
  /** The key and scheme the server signed with. */
  signedBy: { kid: string; scheme: SignatureScheme };
  /** What we sent. */
  request: SignedEnvelope<MsgHeader, Record<string, unknown>>;
}

/** An async request the server acknowledged; the answer comes to `callbackUri` (see DciReceiver). */
export interface DciAccepted {
  ack: DciAck['message'];
  transactionId: string;
  request: SignedEnvelope<MsgHeader, Record<string, unknown>>;
}

export interface CallOptions {
  /** Default: a fresh UUID. */
  transactionId?: string;
  /** reference_id of each item, in order; default `ref-1`, `ref-2`, … */
  referenceIds?: string[];
  /** header.sender_uri: where a subscription's notifications go (default: the sender's registered URI). */
  senderUri?: string;
  signal?: AbortSignal;
}

export interface AsyncCallOptions extends Omit<CallOptions, 'senderUri'> {
  /** Where the answer is POSTed: a base URL (`/registry/on-search` … is appended) or the full callback URL. */
  callbackUri: string;
}

/** A search item's criteria; version and reg_type may be left out. */
export type SearchQuery = Omit<SearchCriteria, 'version' | 'reg_type'> & Partial<Pick<SearchCriteria, 'version' | 'reg_type'>>;
export type SubscribeQuery = Omit<SubscribeCriteria, 'version' | 'reg_type'> & Partial<Pick<SubscribeCriteria, 'version' | 'reg_type'>>;
export type VerifyQuery = VerifyRequestItem['verify_criteria'];
/** A transaction id, or the full txnstatus_request query. */
export type TxnStatusQuery = string | Omit<TxnStatusRequest['txnstatus_request'], 'reference_id'>;

export interface SearchPage {
  pageNumber: number;
  pageSize: number;
  totalCount: number;
  records: Record<string, unknown>[];
  item: SearchResponseItem;
  answer: DciAnswer<SearchResponse>;
}

const asList = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/**
 * A DCI client for one sender: tokens (cached, renewed before expiry), signed envelopes in either
 * scheme, answers verified against the server's JWKS, typed operations, async variants and paging.
 */
export class DciClient {
  readonly baseUrl: string;
  readonly senderId: string;
  readonly scheme: SignatureScheme;
  readonly tokens: TokenSource;
  readonly serverKeys: ServerKeys;
  private readonly fetchJson: typeof fetch;

  constructor(private readonly options: DciClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.senderId = options.senderId;
    this.scheme = options.scheme ?? 'dci-signature';
    this.fetchJson = options.fetch ?? fetch;
    this.tokens = new TokenSource(options.tokenUrl ?? `${this.baseUrl}/oauth2/client/token`, options.auth, options.signingKey, { fetch: this.fetchJson, scope: options.scope });
    this.serverKeys = options.serverKeys ?? new ServerKeys(options.jwksUrl ?? `${this.baseUrl}/.well-known/jwks.json`, { fetch: this.fetchJson });
  }

  search(query: SearchQuery | readonly SearchQuery[], options?: CallOptions): Promise<DciAnswer<SearchResponse>> {
    return this.call('search', this.searchMessage(query, options), options);
  }

  searchAsync(query: SearchQuery | readonly SearchQuery[], options: AsyncCallOptions): Promise<DciAccepted> {
    return this.callAsync('search', this.searchMessage(query, options), options);
  }

  verify(query: VerifyQuery | readonly VerifyQuery[], options?: CallOptions): Promise<DciAnswer<VerifyResponse>> {
    return this.call('verify', this.verifyMessage(query, options), options);
  }

  verifyAsync(query: VerifyQuery | readonly VerifyQuery[], options: AsyncCallOptions): Promise<DciAccepted> {
    return this.callAsync('verify', this.verifyMessage(query, options), options);
  }

  subscribe(query: SubscribeQuery | readonly SubscribeQuery[], options?: CallOptions): Promise<DciAnswer<SubscribeResponse>> {
    return this.call('subscribe', this.subscribeMessage(query, options), options);
  }

  subscribeAsync(query: SubscribeQuery | readonly SubscribeQuery[], options: AsyncCallOptions): Promise<DciAccepted> {
    return this.callAsync('subscribe', this.subscribeMessage(query, options), options);
  }

  unsubscribe(codes: readonly string[], options?: CallOptions): Promise<DciAnswer<UnsubscribeResponse>> {
    return this.call('unsubscribe', this.unsubscribeMessage(codes, options), options);
  }

  unsubscribeAsync(codes: readonly string[], options: AsyncCallOptions): Promise<DciAccepted> {
    return this.callAsync('unsubscribe', this.unsubscribeMessage(codes, options), options);
  }

  /** Status of one of our earlier transactions (by default a search, asked by its transaction_id). */
  txnStatus(query: TxnStatusQuery, options?: CallOptions): Promise<DciAnswer<TxnStatusResponse>> {
    return this.call('txnStatus', this.txnStatusMessage(query, options), options);
  }

  txnStatusAsync(query: TxnStatusQuery, options: AsyncCallOptions): Promise<DciAccepted> {
    return this.callAsync('txnStatus', this.txnStatusMessage(query, options), options);
  }

  /**
   * Every page of one search, one sync request per page (`page_size` records each, the last one
   * possibly fewer), until the total count is reached. Stop early with `break`. A refused page
   * (an `rjct` item) throws DciRequestError with the item's reason code.
   */
  async *searchPages(query: SearchQuery, options: CallOptions & { pageSize: number; firstPage?: number; maxPages?: number }): AsyncGenerator<SearchPage> {
    const last = (options.firstPage ?? 1) + (options.maxPages ?? Infinity);
    for (let pageNumber = options.firstPage ?? 1; pageNumber < last; pageNumber++) {
      const answer = await this.search({ ...query, pagination: { page_size: options.pageSize, page_number: pageNumber } }, { ...options, transactionId: undefined }); // each page is a transaction of its own
      const item = answer.message.search_response[0];
      if (!item) throw new Error('the answer has no search_response item');
      if (item.status !== 'succ') throw new DciRequestError(200, item.status_reason_code ?? 'rjct', item.status_reason_message ?? 'the search was refused', answer.message.correlation_id, answer.message);
      const records = item.data?.reg_records ?? [];
      const totalCount = item.pagination?.total_count ?? records.length;
      yield { pageNumber, pageSize: options.pageSize, totalCount, records, item, answer };
      if (records.length === 0 || pageNumber * options.pageSize >= totalCount) return;
    }
  }

  /** Every record of one search, fetched page by page. */
  async *searchRecords(query: SearchQuery, options: CallOptions & { pageSize: number }): AsyncGenerator<Record<string, unknown>> {
    for await (const page of this.searchPages(query, options)) yield* page.records;
  }

  /** Builds and signs an envelope {signature, header, message} for `message`, with a fresh message_id. */
  async sign<M extends Record<string, unknown>>(action: string, message: M, totalCount: number, extraHeader: Partial<MsgHeader> = {}): Promise<SignedEnvelope<MsgHeader, M>> {
    const header: MsgHeader = { version: '1.0.0', message_id: randomUUID(), message_ts: new Date().toISOString(), action, sender_id: this.senderId, total_count: totalCount, ...extraHeader };
    const { privateKey, kid } = this.options.signingKey;
    const signature = await signEnvelope(header, message, { scheme: this.scheme, privateKey, kid, senderId: this.senderId });
    return { signature, header, message };
  }

  /** Checks an envelope the server signed (answer, callback or notification) against its JWKS. */
  async verifyServerSignature<H, M>(envelope: { signature?: unknown; header: H; message: M }): Promise<{ kid: string; scheme: SignatureScheme }> {
    return checkServerSignature(this.serverKeys, envelope, this.options.serverId);
  }

  private async call<M>(name: OperationName, message: Record<string, unknown>, options: CallOptions = {}): Promise<DciAnswer<M>> {
    const op = OPERATIONS[name];
    const request = await this.sign(op.action, message, countItems(message[op.itemsField]), options.senderUri ? { sender_uri: options.senderUri } : {});
    const body = (await this.post(op.syncPath, request, options.signal)) as SignedEnvelope<MsgCallbackHeader, M>;
    const signedBy = await this.verifyServerSignature(body);
    const answered = (body.message as { transaction_id?: unknown } | null)?.transaction_id;
    if (answered !== message.transaction_id) throw new DciSignatureError('err.signature.invalid', `the answer is for transaction ${String(answered)}, not ${String(message.transaction_id)}`);
    return { ...body, signedBy, request };
  }

  private async callAsync(name: OperationName, message: Record<string, unknown>, options: AsyncCallOptions): Promise<DciAccepted> {
    const op = OPERATIONS[name];
    const request = await this.sign(op.action, message, countItems(message[op.itemsField]), { sender_uri: options.callbackUri });
    const body = (await this.post(op.asyncPath, request, options.signal)) as DciAck;
    return { ack: body.message, transactionId: message.transaction_id as string, request };
  }

  /** POSTs with a bearer token; a token the server no longer takes (expired, its client rotated) gets one retry with a fresh one. */
  private async post(path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.fetchJson(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${await this.tokens.token()}` },
        body: JSON.stringify(body),
        signal,
      });
      const text = await res.text();
      const parsed: unknown = text ? safeJson(text) : undefined;
      if (res.ok) return parsed;
      const error = requestError(res, parsed, text);
      if (error.code !== 'err.auth.invalid_token' || attempt > 1) throw error;
      this.tokens.invalidate();
    }
  }

  private searchMessage(query: SearchQuery | readonly SearchQuery[], options: CallOptions = {}) {
    const criteria = asList(query).map((q) => ({ version: '1.0.0', reg_type: DEFAULT_REG_TYPE, ...q }));
    return { transaction_id: options.transactionId ?? newTransactionId(), search_request: items('search_criteria', criteria, options.referenceIds) };
  }

  private verifyMessage(query: VerifyQuery | readonly VerifyQuery[], options: CallOptions = {}) {
    return { transaction_id: options.transactionId ?? newTransactionId(), verify_request: items('verify_criteria', asList(query), options.referenceIds) };
  }

  private subscribeMessage(query: SubscribeQuery | readonly SubscribeQuery[], options: CallOptions = {}) {
    const criteria = asList(query).map((q) => ({ version: '1.0.0', reg_type: DEFAULT_REG_TYPE, ...q }));
    return { transaction_id: options.transactionId ?? newTransactionId(), subscribe_request: items('subscribe_criteria', criteria, options.referenceIds) };
  }

  private unsubscribeMessage(codes: readonly string[], options: CallOptions = {}) {
    return { transaction_id: options.transactionId ?? newTransactionId(), timestamp: new Date().toISOString(), subscription_codes: [...codes] };
  }

  private txnStatusMessage(query: TxnStatusQuery, options: CallOptions = {}) {
    const asked = typeof query === 'string' ? { txn_type: 'search' as const, attribute_type: 'transaction_id' as const, attribute_value: query } : query;
    return { transaction_id: options.transactionId ?? newTransactionId(), txnstatus_request: { reference_id: options.referenceIds?.[0] ?? 'ref-1', ...asked } };
  }
}

const countItems = (items: unknown): number => (Array.isArray(items) ? items.length : 1);

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function requestError(res: Response, body: unknown, text: string): DciRequestError {
  const dci = body as { errors?: { code?: string; message?: string }[]; message?: { correlation_id?: string; error?: { message?: string } }; error?: string } | undefined;
  const first = dci?.errors?.[0];
  const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
  return new DciRequestError(
    res.status,
    first?.code ?? dci?.error ?? `http.${res.status}`,
    first?.message ?? dci?.message?.error?.message ?? text.slice(0, 200),
    dci?.message?.correlation_id,
    body,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}

/** Verifies a server-signed envelope against its published keys; throws DciSignatureError otherwise. */
export async function checkServerSignature(keys: ServerKeys, envelope: { signature?: unknown; header: unknown; message: unknown }, serverId?: string): Promise<{ kid: string; scheme: SignatureScheme }> {
  if (!envelope || typeof envelope !== 'object') throw new DciSignatureError('err.signature.missing', 'the body is not a signed envelope');
  const result = await verifyEnvelope(envelope, (kid, signer) => (serverId === undefined || signer === serverId ? keys.get(kid) : undefined));
  if (!result.ok) throw new DciSignatureError(result.code, result.reason);
  return { kid: result.kid, scheme: result.scheme };
}
