import type { DciError } from '@dci-server/dci';

/** Reason codes the spec allows per item; our finer codes map onto the nearest one. */
const ITEM_CODES = {
  search: ['rjct.reference_id.invalid', 'rjct.reference_id.duplicate', 'rjct.timestamp.invalid', 'rjct.search_criteria.invalid', 'rjct.filter.invalid', 'rjct.sort.invalid', 'rjct.pagination.invalid', 'rjct.search.too_many_records_found'],
  subscribe: ['rjct.reference_id.invalid', 'rjct.reference_id.duplicate', 'rjct.timestamp.invalid', 'rjct.notify_types.invalid', 'rjct.notify_details.invalid', 'rjct.person_id.invalid', 'rjct.event.already_subscribed'],
  /** A txn status answers with a search-response item: the SearchStatusReasonCode list. */
  txn_status: ['rjct.reference_id.invalid', 'rjct.reference_id.duplicate', 'rjct.timestamp.invalid', 'rjct.search_criteria.invalid', 'rjct.filter.invalid', 'rjct.sort.invalid', 'rjct.pagination.invalid', 'rjct.search.too_many_records_found'],
} as const;
/** The request item names what the answer cannot give: for txn status, the transaction it refers to. */
const FALLBACK = { search: 'rjct.search_criteria.invalid', subscribe: 'rjct.notify_details.invalid', txn_status: 'rjct.reference_id.invalid' } as const;

/** status_reason_code + message of a rejected item; the message keeps our precise code. */
export function itemRejection(error: DciError, kind: keyof typeof ITEM_CODES): { status_reason_code: string; status_reason_message: string } {
  const allowed = (ITEM_CODES[kind] as readonly string[]).includes(error.code);
  return {
    status_reason_code: allowed ? error.code : FALLBACK[kind],
    status_reason_message: (allowed ? error.message : `${error.code}: ${error.message}`).slice(0, 999),
  };
}
