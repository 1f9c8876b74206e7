import { DciError, translateSearchCriteria, type CompiledSearch, type SearchRequestItem, type SearchResponseItem } from '@dci-server/dci';
import { findAgreement, type AgreementTerms } from '../agreements/agreements.js';
import { applyFieldRules } from '../agreements/apply-field-rules.js';
import { authorizeSearch } from '../agreements/authorize.js';
import type { AppContext } from '../context.js';
import { countRecords, searchPages, searchRegistry } from '../registry/search.js';
import { itemRejection } from './item-errors.js';
import type { DciOperation, OperationRequest } from './operations.js';

export const DEFAULT_REG_TYPE = 'ns:org:RegistryType:Social';

type Criteria = { reg_type?: string; reg_record_type?: string; query_type?: string; pagination?: unknown };

/** The item's search as the agreement allows it; async searches may ask for far larger pages. */
function compile(ctx: AppContext, agreement: AgreementTerms, item: SearchRequestItem, mode: OperationRequest['mode']): { compiled: CompiledSearch; regType: string; criteria: Criteria } {
  const criteria = item.search_criteria as Criteria;
  const regType = criteria.reg_type ?? DEFAULT_REG_TYPE;
  const maxPageSize = mode === 'async' ? ctx.config.asyncMaxPageSize : ctx.config.maxPageSize;
  const compiled = authorizeSearch(agreement, translateSearchCriteria(item.search_criteria, { maxPageSize }), { ...criteria, reg_type: regType });
  return { compiled, regType, criteria };
}

/** Pages bigger than a chunk are not held in memory: they go out in chunk callbacks (async only). */
const streamed = (ctx: AppContext, compiled: CompiledSearch, mode: OperationRequest['mode']) => mode === 'async' && compiled.page.size > ctx.config.asyncChunkSize;

/** Answers one search_request item; a bad item is rejected on its own, the others still answer. */
async function answerSearchItem(ctx: AppContext, agreement: AgreementTerms, item: SearchRequestItem, mode: OperationRequest['mode']): Promise<SearchResponseItem> {
  const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
  try {
    const { compiled, regType, criteria } = compile(ctx, agreement, item, mode);
    const pagination = (total: number) => ({ page_size: compiled.page.size, page_number: compiled.page.number, total_count: total });
    if (streamed(ctx, compiled, mode)) return { ...base, status: 'succ', pagination: pagination(await countRecords(ctx.db.pool, compiled)) };
    const { totalCount, records } = await searchRegistry(ctx.db.pool, compiled);
    return {
      ...base,
      status: 'succ',
      data: { version: '1.0.0', reg_type: regType, reg_record_type: criteria.reg_record_type ?? compiled.recordKind, reg_records: records.map((r) => applyFieldRules(agreement, r)) },
      pagination: pagination(totalCount),
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
  async answer(ctx, { senderId, message, correlationId, mode, agreement: known }) {
    const { transaction_id, search_request } = message as { transaction_id: string; search_request: SearchRequestItem[] };
    const agreement = known ?? (await findAgreement(ctx.db.pool, senderId));
    const items: SearchResponseItem[] = [];
    for (const item of search_request) items.push(await answerSearchItem(ctx, agreement, item, mode));
    return { transaction_id, correlation_id: correlationId, search_response: items };
  },

  reject({ message, correlationId }, error) {
    const { transaction_id, search_request } = message as { transaction_id: string; search_request: SearchRequestItem[] };
    const timestamp = new Date().toISOString();
    return { transaction_id, correlation_id: correlationId, search_response: search_request.map((item) => ({ reference_id: item.reference_id, timestamp, status: 'rjct', ...itemRejection(error, 'search') })) };
  },

  streamTotal(answer) {
    const items = (answer as { search_response: SearchResponseItem[] }).search_response;
    return items
      .filter((i) => i.status === 'succ' && !i.data && i.pagination)
      .reduce((sum, { pagination: p }) => sum + Math.max(0, Math.min(p!.page_size, p!.total_count - (p!.page_number - 1) * p!.page_size)), 0);
  },

  /**
   * The records of streamed items, chunk by chunk, each chunk an on-search message of its own
   * (the spec allows several responses per search). Keyset pages: memory stays one chunk.
   */
  async stream(ctx, { senderId, message, correlationId }, send) {
    const { transaction_id, search_request } = message as { transaction_id: string; search_request: SearchRequestItem[] };
    const agreement = await findAgreement(ctx.db.pool, senderId);
    const chunkSize = ctx.config.asyncChunkSize;
    for (const item of search_request) {
      let plan;
      try {
        plan = compile(ctx, agreement, item, 'async');
      } catch {
        continue; // rejected items are answered in the main callback
      }
      const { compiled, regType, criteria } = plan;
      if (!streamed(ctx, compiled, 'async')) continue;
      const total = await countRecords(ctx.db.pool, compiled);
      let skip = compiled.page.offset;
      let left = compiled.page.size;
      let chunkNumber = 0;
      for await (const page of searchPages(ctx.db.pool, compiled, chunkSize)) {
        const records = page.slice(Math.min(skip, page.length)).slice(0, left);
        skip = Math.max(0, skip - page.length);
        if (!records.length) continue;
        left -= records.length;
        chunkNumber++;
        await send(
          {
            transaction_id,
            correlation_id: correlationId,
            search_response: [
              {
                reference_id: item.reference_id,
                timestamp: new Date().toISOString(),
                status: 'succ',
                data: { version: '1.0.0', reg_type: regType, reg_record_type: criteria.reg_record_type ?? compiled.recordKind, reg_records: records.map((r) => applyFieldRules(agreement, r)) },
                pagination: { page_size: chunkSize, page_number: chunkNumber, total_count: total },
              },
            ],
          },
          records.length,
        );
        if (left <= 0) break;
      }
    }
  },
};
