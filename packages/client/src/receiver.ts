import type { IncomingMessage, ServerResponse } from 'node:http';
import { DciError, errorBody } from '@dci-server/dci/errors';
import type { SignatureScheme } from '@dci-server/dci/signing';
import type { MsgCallbackHeader, NotifyEventRequest, SearchResponse, SubscribeResponse, TxnStatusResponse, UnsubscribeResponse, VerifyResponse } from '@dci-server/dci/types';
import { checkServerSignature } from './client.js';
import { DciSignatureError } from './errors.js';
import { MemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { ServerKeys } from './server-keys.js';

interface Incoming<A extends string, M> {
  action: A;
  header: MsgCallbackHeader;
  message: M;
  signature: string;
  signedBy: { kid: string; scheme: SignatureScheme };
}

/** What the server POSTs to a sender, told apart by `action`: async answers and notifications. */
export type DciIncoming =
  | Incoming<'on-search', SearchResponse>
  | Incoming<'on-verify', VerifyResponse>
  | Incoming<'on-subscribe', SubscribeResponse>
  | Incoming<'on-unsubscribe', UnsubscribeResponse>
  | Incoming<'txn-on-status', TxnStatusResponse>
  | Incoming<'notify', NotifyEventRequest>;

const ACTIONS: readonly string[] = ['on-search', 'on-verify', 'on-subscribe', 'on-unsubscribe', 'txn-on-status', 'notify'];

export interface DciReceiverOptions {
  /** Handed every verified, first-seen message; its failure answers 500 (and lets the retry through). */
  onMessage(incoming: DciIncoming): void | Promise<void>;
  /** The server's JWKS, e.g. http://localhost:8080/.well-known/jwks.json (or serverKeys). */
  jwksUrl?: string;
  serverKeys?: ServerKeys;
  /** When set, messages must be signed as this server id (its RECEIVER_ID, `dci-server` by default). */
  serverId?: string;
  /** Default: in memory, for one process. */
  replayGuard?: ReplayGuard;
  /** Largest body the middleware reads itself (when no body parser ran). Default 32 MiB. */
  bodyLimitBytes?: number;
  fetch?: typeof fetch;
}

export interface ReceiverAnswer {
  status: number;
  body: unknown;
}

/**
 * The receiving side of a sender: checks each callback or notification from the server against its
 * JWKS, refuses replays (a message_id already taken), and hands the typed message on. Use
 * `receive(body)` from any framework, or `middleware()` with Express or node:http.
 */
export class DciReceiver {
  private readonly keys: ServerKeys;
  private readonly replays: ReplayGuard;

  constructor(private readonly options: DciReceiverOptions) {
    if (!options.serverKeys && !options.jwksUrl) throw new TypeError('give jwksUrl or serverKeys');
    this.keys = options.serverKeys ?? new ServerKeys(options.jwksUrl!, { fetch: options.fetch });
    this.replays = options.replayGuard ?? new MemoryReplayGuard();
  }

  /** Checks and handles one POSTed body (parsed JSON, or its text); returns the HTTP answer to give. */
  async receive(body: unknown): Promise<ReceiverAnswer> {
    let taken: { sender: string; messageId: string } | undefined;
    try {
      const envelope = parseEnvelope(body);
      const signedBy = await checkServerSignature(this.keys, envelope, this.options.serverId).catch((error: unknown) => {
        throw error instanceof DciSignatureError ? new DciError(error.code, `The message signature is not valid: ${error.reason}`) : error;
      });
      const header = envelope.header as MsgCallbackHeader;
      const sender = String(header.sender_id ?? '');
      if (!(await this.replays.firstSeen(sender, header.message_id))) throw new DciError('rjct.message_id.duplicate', `message_id ${header.message_id} was already received`);
      taken = { sender, messageId: header.message_id };
      await this.options.onMessage({ action: header.action, header, message: envelope.message, signature: envelope.signature as string, signedBy } as DciIncoming);
      const correlationId = (envelope.message as { correlation_id?: unknown }).correlation_id;
      return { status: 200, body: { message: { ack_status: 'ACK', timestamp: new Date().toISOString(), correlation_id: typeof correlationId === 'string' ? correlationId : header.message_id } } };
    } catch (error) {
      if (taken && !(error instanceof DciError)) await this.replays.forget(taken.sender, taken.messageId);
      return refusal(error);
    }
  }

  /** Express (or node:http) handler: uses `req.body` when a body parser ran, else reads the body itself. */
  middleware(): (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next?: (error?: unknown) => void) => Promise<void> {
    return async (req, res, next) => {
      try {
        const body = req.body !== undefined && !Buffer.isBuffer(req.body) ? req.body : await readBody(req, this.options.bodyLimitBytes ?? 32 * 1024 * 1024);
        const answer = body === undefined ? refusal(new DciError('err.request.too_large')) : await this.receive(body);
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      } catch (error) {
        if (next) next(error);
        else res.writeHead(500).end();
      }
    };
  }
}

/** A DCI error body from our catalogue (a non-DciError says only "internal error"). */
function refusal(error: unknown): ReceiverAnswer {
  const { httpStatus, body } = errorBody(error);
  return { status: httpStatus, body };
}

/** The body as text: a Buffer a raw parser left, or the stream itself; undefined past the limit. */
async function readBody(req: IncomingMessage & { body?: unknown }, limit: number): Promise<string | undefined> {
  if (Buffer.isBuffer(req.body)) return req.body.length > limit ? undefined : req.body.toString('utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseEnvelope(body: unknown): { signature?: unknown; header: unknown; message: unknown } {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      throw new DciError('err.request.bad', 'The body is not JSON');
    }
  }
  const envelope = value as { signature?: unknown; header?: { action?: unknown; message_id?: unknown }; message?: unknown } | null;
  if (!envelope || typeof envelope !== 'object' || !envelope.header || typeof envelope.header !== 'object' || !envelope.message || typeof envelope.message !== 'object') {
    throw new DciError('err.request.bad', 'The body must be a DCI envelope {signature, header, message}');
  }
  if (typeof envelope.header.message_id !== 'string' || !envelope.header.message_id) throw new DciError('err.request.bad', 'header.message_id is required');
  if (typeof envelope.header.action !== 'string' || !ACTIONS.includes(envelope.header.action)) throw new DciError('err.request.bad', `header.action must be one of ${ACTIONS.join(', ')}`);
  return envelope as { signature?: unknown; header: unknown; message: unknown };
}
