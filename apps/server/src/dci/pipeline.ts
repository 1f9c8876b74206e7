import { randomUUID } from 'node:crypto';
import { ackBody, DciError, errorBody, validateRequest, verifyEnvelope, type MsgHeader } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { currentAgreement } from '../agreements/agreements.js';
import { authenticateBearer } from '../auth/bearer.js';
import type { RequestLogFields } from '../logger.js';
import type { AppContext } from '../context.js';
import { isDatabaseUnavailable, withTransaction } from '../database.js';
import { admitRequest } from '../senders/admission.js';
import { holdSyncSlot } from '../senders/rate-limit.js';
import { cachedSenderPublicKey } from '../senders/sender-auth.js';
import { claimMessageId, inOrmTransaction, recordTransaction, type AuditEntry, type SqlClient } from '../transactions/audit.js';
import { auditWriter } from '../transactions/audit-writer.js';
import type { DciCall, DciEndpoint } from './call.js';
import { checkHeader } from './header-rules.js';
import { clientGoneSignal } from './client-gone.js';
import { bodyDigest, readingError } from './request-body.js';
import { sendJson, signedResponse } from './responses.js';

/** Per-request state the audit record is built from, filled in as the request moves along. */
interface Trace {
  started: number;
  correlationId: string;
  sender?: Sender;
  /** Counted in the sender's rate window already (admission ran). */
  counted?: boolean;
  header?: Partial<MsgHeader>;
  message?: Record<string, unknown>;
  /** The DCI error code of a refusal. */
  reasonCode?: string;
}

/**
 * A request's trace, counted in the metrics once its answer is sent (whichever path sent it) and
 * named in its log line by correlation and transaction id.
 */
function startTrace(ctx: AppContext, endpoint: DciEndpoint, res: Response): Trace {
  const trace: Trace = { started: performance.now(), correlationId: randomUUID() };
  res.locals.logFields = () => logFields(trace);
  res.once('finish', () =>
    ctx.metrics.observeDciAnswer({
      endpoint: endpoint.path,
      operation: endpoint.operation,
      httpStatus: res.statusCode,
      senderId: trace.sender?.senderId,
      code: trace.reasonCode,
      seconds: (performance.now() - trace.started) / 1000,
    }),
  );
  return trace;
}

function logFields(trace: Trace): RequestLogFields {
  return { correlation_id: trace.correlationId, transaction_id: stringOrNull(trace.message?.transaction_id), message_id: stringOrNull(trace.header?.message_id), sender_id: trace.sender?.senderId ?? null };
}

/**
 * Every DCI call goes through here: bearer token → sender (known, active) → allowed operation →
 * header rules → spec schema → signature → data-sharing agreement → admission (rate limit, replay
 * check, daily quota: one statement) → handler → signed answer. A request refused before admission
 * still counts against the rate limit, which then answers first (429), as if checked first.
 * Whatever happens, exactly one audit record is written before the answer leaves, and client
 * faults never become a 500. Senders, keys and agreements come from memory (see change-feed.ts).
 */
export function dciHandler(ctx: AppContext, endpoint: DciEndpoint): RequestHandler {
  return async (req, res) => {
    const trace = startTrace(ctx, endpoint, res);
    try {
      const call = await admit(ctx, endpoint, req, res, trace);
      const result = await endpoint.handle(call);
      if (Boolean(endpoint.writes) !== (result.kind === 'write')) throw new Error(`${endpoint.path}: a registry write must be declared (writes) and answered (kind 'write') alike`);
      if (result.kind === 'sync') {
        const envelope = await signedResponse(ctx, call, endpoint.responseAction, result.message, result.totalCount);
        await finish(ctx, endpoint, req, res, trace, { httpStatus: 200, body: envelope, dciStatus: 'succ' });
      } else if (result.kind === 'write') {
        await commitWithAudit(ctx, endpoint, req, res, trace, call, result.apply);
      } else {
        await acceptAsync(ctx, endpoint, req, res, trace, result.job, { ...result.payload, correlationId: trace.correlationId }, result.totalCount);
      }
    } catch (error) {
      await fail(ctx, endpoint, req, res, trace, error);
    }
  };
}

/** Express error middleware for failures before our handler runs (reading, decoding, parsing or checking the body, wrong method). */
export function dciTransportErrors(ctx: AppContext, endpoint: DciEndpoint) {
  return async (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const trace = startTrace(ctx, endpoint, res);
    // A refused body still names its message and transaction in the audit record, when it has them.
    const body = req.body as { header?: unknown; message?: unknown } | undefined;
    if (body && typeof body === 'object' && !endpoint.compact) {
      if (body.header && typeof body.header === 'object') trace.header = body.header as Partial<MsgHeader>;
      if (body.message && typeof body.message === 'object') trace.message = body.message as Record<string, unknown>;
    }
    await fail(ctx, endpoint, req, res, trace, readingError(error, ctx.config.bodyLimit));
  };
}

/** A DCI endpoint asked with another method than POST: 405, audited like any refusal. */
export const onlyPost: RequestHandler = (req, res, next) => {
  res.set('Allow', 'POST');
  next(new DciError('err.request.method_not_allowed', `${req.method} is not allowed here; this endpoint only accepts POST`));
};

async function admit(ctx: AppContext, endpoint: DciEndpoint, req: Request, res: Response, trace: Trace): Promise<DciCall> {
  const { sender, scopes } = await authenticateBearer(ctx, req.headers.authorization);
  trace.sender = sender;
  if (endpoint.sync) holdSyncSlot(ctx, sender, res);
  if (!sender.allowedOperations.includes(endpoint.operation)) throw new DciError('err.operation.not_allowed', `Sender ${sender.senderId} may not ${endpoint.operation}`);
  if (!scopes.includes(endpoint.operation)) throw new DciError('err.operation.not_allowed', `The access token's scope does not include ${endpoint.operation}`);

  const body = (endpoint.toEnvelope ? endpoint.toEnvelope(req.body) : req.body) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DciError('err.request.bad', 'The body must be a DCI envelope {signature, header, message}');
  if (body.header && typeof body.header === 'object') trace.header = body.header as Partial<MsgHeader>;
  if (body.message && typeof body.message === 'object') trace.message = body.message as Record<string, unknown>;
  checkHeader(ctx.config, endpoint, sender, body);
  const validation = validateRequest(endpoint.schemaPath, body);
  if (!validation.ok) throw new DciError('err.request.bad', `The message does not follow the DCI specification: ${validation.errors.slice(0, 5).join('; ')}`);
  // Some spec schemas (the CRVS notify) leave `message` optional; no handler can work without one.
  if (!body.message || typeof body.message !== 'object' || Array.isArray(body.message)) throw new DciError('err.request.bad', 'The envelope has no message object');
  const header = body.header as MsgHeader;
  if (!endpoint.compact) await checkSignature(ctx, sender, body);
  // No agreement, no data: every operation needs one valid now.
  const agreement = await currentAgreement(ctx.db.pool, ctx.db.changes, sender.senderId);
  const items = (body.message as Record<string, unknown> | undefined)?.[endpoint.itemsField];
  const quotaApplies = (endpoint.operation === 'search' || endpoint.operation === 'verify') && typeof agreement.dailyQuota === 'number';
  trace.counted = true;
  await admitRequest(ctx.db.admissionPool, {
    sender,
    defaultRateLimit: ctx.config.rateLimitPerMinute,
    // A registry write claims its message_id in its own transaction: if it fails, the sender's retry is not a replay.
    messageId: endpoint.writes ? null : header.message_id,
    // Items count against the agreement's daily quota (after the replay check: a replay costs nothing).
    quota: quotaApplies ? { dailyQuota: agreement.dailyQuota!, items: Array.isArray(items) ? items.length : 1 } : null,
  });
  return { ctx, sender, header, message: body.message as Record<string, unknown>, correlationId: trace.correlationId, agreement, signal: clientGoneSignal(res) };
}

async function checkSignature(ctx: AppContext, sender: Sender, envelope: Record<string, unknown>): Promise<void> {
  if (typeof envelope.signature !== 'string' || !envelope.signature) {
    if (sender.allowUnsigned) return;
    throw new DciError('err.signature.missing');
  }
  const result = await verifyEnvelope(envelope as { signature: string; header: unknown; message: unknown }, (kid, signerId) =>
    signerId === sender.senderId ? cachedSenderPublicKey(ctx.db.pool, ctx.db.changes, sender, kid) : undefined,
  );
  if (!result.ok) throw new DciError(result.code, `The message signature is ${result.code === 'err.signature.missing' ? 'missing' : 'invalid'}: ${result.reason}`);
}

async function acceptAsync(ctx: AppContext, endpoint: DciEndpoint, req: Request, res: Response, trace: Trace, job: string, payload: Record<string, unknown>, totalCount: number) {
  const body = ackBody(trace.correlationId);
  // The audit record and the job are committed together: an ACKed request is never lost.
  await withTransaction(ctx.db.pool, async (client) => {
    const auditId = await recordTransaction(client, { ...auditEntry(endpoint, req, trace, 202, body, 'pdng'), asyncStatus: 'pending', totalCount });
    await client.query('SELECT graphile_worker.add_job($1, $2::json, max_attempts => 5)', [job, JSON.stringify({ ...payload, auditId })]);
  });
  res.status(202).json(body);
}

async function claimOnce(db: SqlClient, sender: Sender, header: MsgHeader): Promise<void> {
  if (!(await claimMessageId(db, sender.senderId, header.message_id))) {
    throw new DciError('rjct.message_id.duplicate', `message_id ${header.message_id} was already received from ${sender.senderId}`);
  }
}

/** A registry change, its message_id claim and its audit record commit together, or none does; then the ACK. */
async function commitWithAudit(ctx: AppContext, endpoint: DciEndpoint, req: Request, res: Response, trace: Trace, call: DciCall, apply: (em: EntityManager) => Promise<void>) {
  const body = ackBody(trace.correlationId);
  await ctx.db.orm.em.fork().transactional(async (em) => {
    const sql = inOrmTransaction(em);
    await claimOnce(sql, call.sender, call.header);
    await apply(em);
    await recordTransaction(sql, auditEntry(endpoint, req, trace, 200, body, 'succ'));
  });
  res.status(200).json(body);
}

async function fail(ctx: AppContext, endpoint: DciEndpoint, req: Request, res: Response, trace: Trace, caught: unknown) {
  // The database going away mid-request (restart, failover) is neither the sender's fault nor a bug.
  const unavailable = isDatabaseUnavailable(caught);
  const error = await countRefusal(ctx, trace, unavailable ? new DciError('err.service.unavailable', 'The database is unavailable; try again later', { retryAfter: 5 }) : caught);
  if (!(error instanceof DciError)) ctx.logger.error({ err: error, endpoint: endpoint.path, ...logFields(trace) }, 'DCI request failed');
  else if (unavailable) ctx.logger.warn({ err: caught, endpoint: endpoint.path, ...logFields(trace) }, 'DCI request failed: database unavailable');
  const { httpStatus, body } = errorBody(error, { correlationId: trace.correlationId });
  trace.reasonCode = body.errors[0]?.code;
  if (httpStatus === 401) res.set('WWW-Authenticate', 'Bearer realm="dci-server"');
  if (error instanceof DciError && error.details && typeof error.details === 'object' && 'retryAfter' in error.details) res.set('Retry-After', String(error.details.retryAfter));
  await finish(ctx, endpoint, req, res, trace, { httpStatus, body, dciStatus: 'rjct', reasonCode: trace.reasonCode });
}

async function finish(ctx: AppContext, endpoint: DciEndpoint, req: Request, res: Response, trace: Trace, outcome: { httpStatus: number; body: unknown; dciStatus: string; reasonCode?: string }) {
  try {
    // Grouped with the records of concurrent calls into one commit; ours waits for it all the same.
    await auditWriter(ctx.db.pool).write({ ...auditEntry(endpoint, req, trace, outcome.httpStatus, outcome.body, outcome.dciStatus), reasonCode: outcome.reasonCode });
  } catch (error) {
    // Nothing leaves unaudited: without its record the answer becomes an error.
    ctx.logger.error({ err: error, ...logFields(trace) }, 'could not write the audit record');
    const { httpStatus, body } = errorBody(new DciError('err.service.unavailable', 'The request could not be recorded; try again'), { correlationId: trace.correlationId });
    trace.reasonCode = body.errors[0]?.code;
    res.status(httpStatus).set('Retry-After', '5').json(body);
    return;
  }
  sendJson(res, outcome.httpStatus, outcome.body);
}

/** A request refused before admission still counts in its sender's rate window; over the limit, that is the answer. */
async function countRefusal(ctx: AppContext, trace: Trace, error: unknown): Promise<unknown> {
  if (!trace.sender || trace.counted) return error;
  trace.counted = true;
  try {
    await admitRequest(ctx.db.admissionPool, { sender: trace.sender, defaultRateLimit: ctx.config.rateLimitPerMinute, messageId: null, quota: null });
    return error;
  } catch (rateLimited) {
    return rateLimited instanceof DciError ? rateLimited : error;
  }
}

function auditEntry(endpoint: DciEndpoint, req: Request, trace: Trace, httpStatus: number, response: unknown, dciStatus: string): AuditEntry {
  return {
    transactionId: stringOrNull(trace.message?.transaction_id),
    messageId: stringOrNull(trace.header?.message_id),
    correlationId: trace.correlationId,
    senderId: trace.sender?.senderId ?? null,
    operation: endpoint.operation,
    endpoint: endpoint.path,
    request: req.body,
    requestSha256: bodyDigest(req),
    response,
    httpStatus,
    dciStatus,
    durationMs: performance.now() - trace.started,
    clientAddress: req.ip ?? null,
  };
}

const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
