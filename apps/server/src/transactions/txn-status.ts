import { DciError, type TxnStatusRequest } from '@dci-server/dci';
import type { DataSharingAgreement } from '@dci-server/db';
import type pg from 'pg';
import { applyFieldRules } from '../agreements/apply-field-rules.js';
import type { DciRecord } from '../registry/records.js';

interface StoredTransaction {
  correlation_id: string;
  transaction_id: string | null;
  request: { message?: { transaction_id?: string; search_request?: { reference_id: string }[] } } | null;
  response: { message?: StoredAnswer } | null;
  result: StoredAnswer | null;
  async_status: string | null;
}

type StoredAnswer = Record<string, unknown> & { search_response?: unknown };

/**
 * Status of an earlier transaction of the same sender, found by transaction id, correlation id
 * or reference ids. Finished: the answer it produced, shared again under the agreement in force
 * now (a field denied since is not handed out by replaying an old answer). Still running: every
 * item `pdng`. None found: rjct.transaction.not_found.
 */
export async function transactionStatus(
  pool: pg.Pool,
  senderId: string,
  agreement: Pick<DataSharingAgreement, 'fieldRules'>,
  request: TxnStatusRequest['txnstatus_request'],
): Promise<unknown> {
  const operation = request.txn_type === 'subscribe' ? 'subscribe' : 'search';
  const values = Array.isArray(request.attribute_value) ? request.attribute_value.map(String) : [String(request.attribute_value)];
  const where =
    request.attribute_type === 'correlation_id'
      ? 'correlation_id = ANY($3)'
      : request.attribute_type === 'reference_id_list'
        ? `EXISTS (SELECT 1 FROM jsonb_array_elements(request->'message'->'search_request') item WHERE item->>'reference_id' = ANY($3))`
        : 'transaction_id = ANY($3)';
  const { rows } = await pool.query<StoredTransaction>(
    `SELECT correlation_id, transaction_id, request, response, result, async_status FROM dci_transaction
     WHERE sender_id = $1 AND operation = $2 AND dci_status <> 'rjct' AND ${where}
     ORDER BY created_at DESC LIMIT 1`,
    [senderId, operation, values],
  );
  const found = rows[0];
  if (!found) throw new DciError('rjct.transaction.not_found', `No ${operation} transaction of this sender has ${request.attribute_type} ${values.join(', ').slice(0, 200)}`);
  if (found.result) return sharedNow(agreement, found.result);
  if (found.async_status === null && found.response?.message) return sharedNow(agreement, found.response.message);
  return {
    transaction_id: found.transaction_id ?? '',
    correlation_id: found.correlation_id,
    search_response: (found.request?.message?.search_request ?? []).map((item) => ({ reference_id: item.reference_id, timestamp: new Date().toISOString(), status: 'pdng' })),
  };
}

/** A stored answer with its records shared again under `agreement`'s field rules (re-applying a rule already applied changes nothing). */
function sharedNow(agreement: Pick<DataSharingAgreement, 'fieldRules'>, answer: StoredAnswer): StoredAnswer {
  if (!Array.isArray(answer.search_response)) return answer;
  return {
    ...answer,
    search_response: answer.search_response.map((item: { data?: { reg_records?: unknown } }) => {
      const records = item.data?.reg_records;
      if (!Array.isArray(records)) return item;
      return { ...item, data: { ...item.data, reg_records: (records as DciRecord[]).map((record) => applyFieldRules(agreement, record)) } };
    }),
  };
}
