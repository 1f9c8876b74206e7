import type { Task, TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { itemCount, type DciOperation } from '../dci/operations.js';
import { responseHeader, signFor } from '../dci/responses.js';
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
 * same answer), sign it for the sender and POST it to the callback address. A failed POST throws,
 * and graphile-worker retries with exponential backoff; every attempt is recorded.
 */
function answerAndCallBack(ctx: AppContext, op: DciOperation): Task {
  return async (raw, helpers) => {
    const payload = raw as AsyncPayload;
    const { pool } = ctx.db;
    const stored = await pool.query<{ result: Record<string, unknown> | null; total_count: number | null }>('SELECT result, total_count FROM dci_transaction WHERE id = $1', [payload.auditId]);
    let message = stored.rows[0]?.result ?? null;
    const totalCount = stored.rows[0]?.total_count ?? itemCount(op, payload.message);
    if (!message) {
      message = await op.answer(ctx, payload);
      await pool.query(`UPDATE dci_transaction SET result = $2, async_status = 'answered', completed_count = $3 WHERE id = $1`, [payload.auditId, JSON.stringify(message), totalCount]);
    }
    const sender = await activeSender(ctx.db.orm.em.fork(), payload.senderId);
    const envelope = await signFor(ctx, sender, responseHeader(ctx, sender, op.responseAction, totalCount), message);
    const attempt = helpers.job.attempts;
    try {
      const { status } = await postJson(payload.callbackUrl, envelope, policyFor(sender, payload.callbackUrl));
      if (!isSuccess(status)) throw new Error(`callback answered HTTP ${status}`);
      await pool.query(`UPDATE dci_transaction SET async_status = 'completed', callback_status = 'delivered', callback_attempts = $2, callback_error = NULL, completed_at = now() WHERE id = $1`, [payload.auditId, attempt]);
    } catch (error) {
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

export function asyncAnswerTasks(ctx: AppContext): TaskList {
  return Object.fromEntries(DCI_OPERATIONS.map((op) => [op.job, answerAndCallBack(ctx, op)]));
}
