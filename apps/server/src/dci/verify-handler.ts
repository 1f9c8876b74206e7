import { DciError, ON_VERIFY_ACTION, VERIFY_ACTION, type VerifyRequest, type VerifyRequestItem, type VerifyResponseItem } from '@dci-server/dci';
import { findAgreement, type AgreementTerms } from '../agreements/agreements.js';
import { authorizeVerify } from '../agreements/authorize.js';
import { allowedClaims } from '../agreements/claims.js';
import type { AppContext } from '../context.js';
import { verifyIdentity } from '../registry/verify.js';
import type { DciOperation } from './operations.js';

/** Our verify extension: per claim true / false / unknown, never the record itself. */
async function answerVerifyItem(ctx: AppContext, agreement: AgreementTerms, item: VerifyRequestItem): Promise<VerifyResponseItem> {
  const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
  try {
    authorizeVerify(agreement, item.verify_criteria);
    // Claims on fields the agreement hides are answered 'unknown', as if the field were empty.
    const { allowed, refused } = allowedClaims(agreement, item.verify_criteria.claims);
    const asked = Object.fromEntries(allowed.map((name) => [name, item.verify_criteria.claims[name]]));
    const { claims } = await verifyIdentity(ctx.db.pool, item.verify_criteria.identifier, asked);
    for (const name of refused) claims[name] = 'unknown';
    return { ...base, status: 'succ', data: { claims } };
  } catch (error) {
    if (!(error instanceof DciError)) throw error;
    return rejectedItem(item, error);
  }
}

function rejectedItem(item: VerifyRequestItem, error: DciError): VerifyResponseItem {
  return { reference_id: item.reference_id, timestamp: new Date().toISOString(), status: 'rjct', status_reason_code: 'rjct.verify_criteria.invalid', status_reason_message: error.message.slice(0, 999) };
}

export const verifyOperation: DciOperation = {
  operation: 'verify',
  action: VERIFY_ACTION,
  responseAction: ON_VERIFY_ACTION,
  callbackPath: ON_VERIFY_ACTION,
  itemsField: 'verify_request',
  syncPath: '/registry/sync/verify',
  asyncPath: '/registry/verify',
  job: 'dci-async-verify',
  async answer(ctx, { senderId, message, correlationId, agreement: known }) {
    const { transaction_id, verify_request } = message as unknown as VerifyRequest;
    const agreement = known ?? (await findAgreement(ctx.db.pool, senderId));
    const items: VerifyResponseItem[] = [];
    for (const item of verify_request) items.push(await answerVerifyItem(ctx, agreement, item));
    return { transaction_id, correlation_id: correlationId, verify_response: items };
  },
  reject({ message, correlationId }, error) {
    const { transaction_id, verify_request } = message as unknown as VerifyRequest;
    return { transaction_id, correlation_id: correlationId, verify_response: verify_request.map((item) => rejectedItem(item, error)) };
  },
};
