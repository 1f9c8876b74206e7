import { DciError, translateSearchCriteria, type SearchRequestItem, type SearchResponseItem } from '@dci-server/dci';
import type { AppContext } from '../context.js';
import { searchRegistry } from '../registry/search.js';
import type { DciEndpoint, HandlerResult } from './call.js';
import { callbackUrl } from './callbacks.js';
import { itemRejection } from './item-errors.js';

export const DEFAULT_REG_TYPE = 'ns:org:RegistryType:Social';

/** Answers one search_request item; a bad item is rejected on its own, the others still answer. */
export async function answerSearchItem(ctx: AppContext, item: SearchRequestItem): Promise<SearchResponseItem> {
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

export async function answerSearch(ctx: AppContext, message: { transaction_id: string; search_request: SearchRequestItem[] }, correlationId: string) {
  const items: SearchResponseItem[] = [];
  for (const item of message.search_request) items.push(await answerSearchItem(ctx, item));
  return { transaction_id: message.transaction_id, correlation_id: correlationId, search_response: items };
}

type SearchMessage = { transaction_id: string; search_request: SearchRequestItem[] };

export const syncSearch: DciEndpoint = {
  path: '/registry/sync/search',
  operation: 'search',
  action: 'search',
  responseAction: 'on-search',
  itemsField: 'search_request',
  async handle(call): Promise<HandlerResult> {
    const message = call.message as unknown as SearchMessage;
    return { kind: 'sync', message: await answerSearch(call.ctx, message, call.correlationId), totalCount: message.search_request.length };
  },
};

export const asyncSearch: DciEndpoint = {
  ...syncSearch,
  path: '/registry/search',
  async handle(call): Promise<HandlerResult> {
    const message = call.message as unknown as SearchMessage;
    return { kind: 'async', job: 'dci-async-search', payload: callbackPayload(call, message, 'on-search'), totalCount: message.search_request.length };
  },
};

/** What the async job needs to answer later; the callback address is checked now, before the ACK. */
export function callbackPayload(call: Parameters<DciEndpoint['handle']>[0], message: unknown, action: string) {
  return { senderId: call.sender.senderId, callbackUrl: callbackUrl(call.sender, call.header.sender_uri, action), message };
}
