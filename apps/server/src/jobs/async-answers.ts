import { DciError } from '@dci-server/dci';
import type { Task, TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { itemCount, type DciOperation, type OperationRequest } from '../dci/operations.js';
import { responseHeader, signFor, type SignedEnvelope } from '../dci/responses.js';
import { DCI_OPERATIONS } from '../dci/routes.js';
import { policyFor } from '../outbound/address-policy.js';
import { isSuccess, postJson } from '../outbound/post-json.js';
import { activeSender } from '../senders/sender-auth.js';

interface AsyncPayload {
  auditId: string;
  correlationId: string;
  senderId: string;
  senderUri: string | null;
  callbackUrl: string;
  message: Record<string, unknown>;
}

/**
 * An async call's job: compute the answer once (kept on the transaction, so retries resend the
 * same answer), send the streamed parts of large answers chunk by chunk (a retry resumes after the
 * chunks already sent), then sign the answer for the sender and POST it to the callback address.
 * A failed POST throws, and graphile-worker retries with exponential backoff; every attempt is recorded.
 */
function answerAndCallBack(ctx: AppContext, op: DciOperation): Task {
  return async (raw, helpers) => {
    const payload = raw as AsyncPayload;
    const request = { ...payload, mode: 'async' as const };
    const { pool } = ctx.db;
    const stored = await pool.query<{ result: Record<string, unknown> | null; total_count: number | null; chunks_sent: number; completed_count: number }>(
      'SELECT result, total_count, chunks_sent, completed_count FROM dci_transaction WHERE id = $1',
      [payload.auditId],
    );
    const progress = stored.rows[0];
    let message = progress?.result ?? null;
    let totalCount = progress?.total_count ?? itemCount(op, payload.message);
    if (!message) {
      message = await answerOrReject(ctx, op, request);
      // A streamed answer's progress counts records; otherwise it counts items.
      const streamTotal = op.streamTotal?.(message) ?? 0;
      if (streamTotal) totalCount = streamTotal;
      await pool.query(`UPDATE dci_transaction SET result = $2, async_status = 'answered', total_count = $3 WHERE id = $1`, [payload.auditId, JSON.stringify(message), totalCount]);
    }
    const sender = await activeSender(ctx.db.pool, payload.senderId);
    const sign = (body: Record<string, unknown>, completed: number) => signFor(ctx, sender, responseHeader(ctx, sender, op.responseAction, totalCount, completed), body);
    const post = async (envelope: SignedEnvelope) => {
      const { status } = await postJson(payload.callbackUrl, envelope, policyFor(sender, payload.callbackUrl));
      if (!isSuccess(status)) throw new Error(`callback answered HTTP ${status}`);
    };
    const attempt = helpers.job.attempts;
    // The chunk on the wire (then its progress written); the next one is read and signed meanwhile.
    let onTheWire: Promise<unknown> = Promise.resolve();
    try {
      // Only answers with streamed items have chunks to send (a rejected answer has none).
      if (op.stream && op.streamTotal?.(message)) {
        let chunk = 0;
        let records = 0;
        await op.stream(ctx, request, async (part, count) => {
          chunk++;
          records += count;
          if (chunk <= (progress?.chunks_sent ?? 0)) return; // sent before this retry
          const envelope = await sign(part, records);
          await onTheWire; // one chunk at a time, in order: the receiver sees them as numbered
          const progressAfter = [payload.auditId, chunk, records];
          onTheWire = post(envelope).then(() => pool.query('UPDATE dci_transaction SET chunks_sent = $2, completed_count = $3 WHERE id = $1', progressAfter));
          onTheWire.catch(() => {}); // its failure is thrown by the next await of it
        });
      }
      await onTheWire;
      await post(await sign(message, totalCount));
      await pool.query(
        `UPDATE dci_transaction SET async_status = 'completed', callback_status = 'delivered', callback_attempts = $2, callback_error = NULL, completed_at = now(),
           completed_count = GREATEST(completed_count, $3) WHERE id = $1`,
        [payload.auditId, attempt, totalCount],
      );
    } catch (error) {
      await onTheWire.catch(() => {}); // its progress, if it got through, is recorded before the failure
      const last = attempt >= helpers.job.max_attempts;
      await pool.query(`UPDATE dci_transaction SET callback_status = $2, callback_attempts = $3, callback_error = $4, async_status = CASE WHEN $5 THEN 'failed' ELSE async_status END WHERE id = $1`, [
        payload.auditId,
        last ? 'failed' : 'retrying',
        attempt,
        (error as Error).message.slice(0, 500),
        last,
      ]);
      throw error;
    }
  };
}

/** A client fault (a DciError: agreement ended, unknown transaction, ...) is an answer to deliver, never a reason to retry. */
async function answerOrReject(ctx: AppContext, op: DciOperation, request: OperationRequest): Promise<Record<string, unknown>> {
  try {
    return await op.answer(ctx, request);
  } catch (error) {
    if (!(error instanceof DciError)) throw error;
    return op.reject(request, error);
  }
}

export function asyncAnswerTasks(ctx: AppContext): TaskList {
  return Object.fromEntries(DCI_OPERATIONS.map((op) => [op.job, answerAndCallBack(ctx, op)]));
}
