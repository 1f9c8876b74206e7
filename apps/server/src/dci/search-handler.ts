import { DciError, translateSearchCriteria, type SearchRequestItem, type SearchResponseItem } from '@dci-server/dci';
import type { DataSharingAgreement } from '@dci-server/db';
import { findAgreement } from '../agreements/agreements.js';
import { applyFieldRules } from '../agreements/apply-field-rules.js';
import { authorizeSearch } from '../agreements/authorize.js';
import type { AppContext } from '../context.js';
import { searchRegistry } from '../registry/search.js';
import { itemRejection } from './item-errors.js';
import type { DciOperation } from './operations.js';

export const DEFAULT_REG_TYPE = 'ns:org:RegistryType:Social';

/** Answers one search_request item; a bad item is rejected on its own, the others still answer. */
async function answerSearchItem(ctx: AppContext, agreement: DataSharingAgreement, item: SearchRequestItem): Promise<SearchResponseItem> {
  const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
  try {
    const criteria = item.search_criteria as { reg_type?: string; reg_record_type?: string; query_type?: string; pagination?: unknown };
    const regType = criteria.reg_type ?? DEFAULT_REG_TYPE;
    const compiled = authorizeSearch(agreement, translateSearchCriteria(item.search_criteria, { maxPageSize: ctx.config.maxPageSize }), { ...criteria, reg_type: regType });
    const { totalCount, records } = await searchRegistry(ctx.db.pool, compiled);
    return {
      ...base,
      status: 'succ',
      data: { version: '1.0.0', reg_type: regType, reg_record_type: criteria.reg_record_type ?? compiled.recordKind, reg_records: records.map((r) => applyFieldRules(agreement, r)) },
      pagination: { page_size: compiled.page.size, page_number: compiled.page.number, total_count: totalCount },
      ...(item.locale ? { locale: item.locale } : {}),
    };
  } catch (error) {
    if (!(error instanceof DciError)) throw error;
    return { ...base, status: 'rjct', ...itemRejection(error, 'search') };
  }
}

export const searchOperation: DciOperation = {
  operation: 'search',
  action: 'search',
  responseAction: 'on-search',
  callbackPath: 'on-search',
  itemsField: 'search_request',
  syncPath: '/registry/sync/search',
  asyncPath: '/registry/search',
  job: 'dci-async-search',
  async answer(ctx, { senderId, message, correlationId }) {
    const { transaction_id, search_request } = message as { transaction_id: string; search_request: SearchRequestItem[] };
    const agreement = await findAgreement(ctx.db.orm.em.fork(), senderId);
    const items: SearchResponseItem[] = [];
    for (const item of search_request) items.push(await answerSearchItem(ctx, agreement, item));
    return { transaction_id, correlation_id: correlationId, search_response: items };
  },
};
