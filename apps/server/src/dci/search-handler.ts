import { DciError, translateSearchCriteria, type SearchRequestItem, type SearchResponseItem } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { searchRegistry } from '../registry/search.js';
import { itemRejection } from './item-errors.js';
import type { DciOperation } from './operations.js';

export const DEFAULT_REG_TYPE = 'ns:org:RegistryType:Social';

/** Answers one search_request item; a bad item is rejected on its own, the others still answer. */
async function answerSearchItem(ctx: AppContext, item: SearchRequestItem): Promise<SearchResponseItem> {
  const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
  try {
    const compiled = translateSearchCriteria(item.search_criteria, { maxPageSize: ctx.config.maxPageSize });
    const { totalCount, records } = await searchRegistry(ctx.db.pool, compiled);
    const criteria = item.search_criteria as { reg_type?: string; reg_record_type?: string };
    return {
      ...base,
      status: 'succ',
      data: { version: '1.0.0', reg_type: criteria.reg_type ?? DEFAULT_REG_TYPE, reg_record_type: criteria.reg_record_type ?? compiled.recordKind, reg_records: records },
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
  async answer(ctx, _senderId, message, correlationId) {
    const { transaction_id, search_request } = message as { transaction_id: string; search_request: SearchRequestItem[] };
    const items: SearchResponseItem[] = [];
    for (const item of search_request) items.push(await answerSearchItem(ctx, item));
    return { transaction_id, correlation_id: correlationId, search_response: items };
  },
};
