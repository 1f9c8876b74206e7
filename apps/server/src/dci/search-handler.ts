import { DciError, translateSearchCriteria, type CompiledSearch, type PaginationResponse, type SearchRequestItem, type SearchResponseItem } from '@dci-server/dci';
import { findAgreement, type AgreementTerms } from '../agreements/agreements.js';
import { applyFieldRules } from '../agreements/apply-field-rules.js';
import { authorizeSearch } from '../agreements/authorize.js';
import type { AppContext } from '../context.js';
import { withBoundedQueries } from '../registry/bounded-queries.js';
import { countRecords, pageWithCount, recordsInOrder, searchPages, searchRegistry, type MatchCount } from '../registry/search.js';
import type { DciRecord } from '../registry/records.js';
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

/**
 * A sync item's page, within what is left of the answer's record budget (SYNC_MAX_RECORDS) and
 * under the request's statement timeout; the page's records are only read once their number is
 * known to fit. Its count follows pageWithCount's rule (exact up to SYNC_EXACT_COUNT_LIMIT).
 */
async function boundedPage(ctx: AppContext, compiled: CompiledSearch, recordsLeft: number, signal: AbortSignal | undefined): Promise<{ count: MatchCount; records: DciRecord[] }> {
  return withBoundedQueries(ctx.db.readPool, { statementTimeoutMs: ctx.config.sync.statementTimeoutMs, signal }, async (db) => {
    const { ids, count } = await pageWithCount(db, compiled, ctx.config.sync.exactCountLimit);
    if (ids.length > recordsLeft) {
      throw new DciError(
        'rjct.search.too_many_records_found',
        `This page holds ${ids.length} records, but a sync answer may hold at most ${ctx.config.sync.maxRecords} in all (${recordsLeft} left for this item): ask for smaller pages (pagination.page_size), or use the async endpoint`,
      );
    }
    signal?.throwIfAborted();
    return { count, records: await recordsInOrder(db, compiled.recordKind, ids) };
  });
}

async function exactPage(ctx: AppContext, compiled: CompiledSearch): Promise<{ count: MatchCount; records: DciRecord[] }> {
  const { totalCount, records } = await searchRegistry(ctx.db.readPool, compiled);
  return { count: { totalCount, exact: true }, records };
}

/** Answers one search_request item; a bad item is rejected on its own, the others still answer. */
async function answerSearchItem(ctx: AppContext, agreement: AgreementTerms, item: SearchRequestItem, request: Pick<OperationRequest, 'mode' | 'signal'>, recordsLeft: number): Promise<SearchResponseItem> {
  const { mode, signal } = request;
  const base = { reference_id: item.reference_id, timestamp: new Date().toISOString() };
  try {
    const { compiled, regType, criteria } = compile(ctx, agreement, item, mode);
    const pagination = ({ totalCount, exact }: MatchCount): PaginationResponse => ({
      page_size: compiled.page.size,
      page_number: compiled.page.number,
      total_count: totalCount,
      ...(exact ? {} : { total_count_estimated: true }),
    });
    // Async answers have no one waiting: their counts are always exact.
    if (streamed(ctx, compiled, mode)) return { ...base, status: 'succ', pagination: pagination({ totalCount: await countRecords(ctx.db.readPool, compiled), exact: true }) };
    const { count, records } = mode === 'sync' ? await boundedPage(ctx, compiled, recordsLeft, signal) : await exactPage(ctx, compiled);
    return {
      ...base,
      status: 'succ',
      data: { version: '1.0.0', reg_type: regType, reg_record_type: criteria.reg_record_type ?? compiled.recordKind, reg_records: records.map((r) => applyFieldRules(agreement, r)) },
      pagination: pagination(count),
      ...(item.locale ? { locale: item.locale } : {}),
    };
  } catch (error) {
    signal?.throwIfAborted(); // the client has gone: no item answers, the request stops
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
  async answer(ctx, request) {
    const { senderId, message, correlationId, agreement: known, signal } = request;
    const { transaction_id, search_request } = message as { transaction_id: string; search_request: SearchRequestItem[] };
    const agreement = known ?? (await findAgreement(ctx.db.pool, senderId));
    const items: SearchResponseItem[] = [];
    // Sync answers share one record budget; async ones page or stream instead.
    let recordsLeft = request.mode === 'sync' ? ctx.config.sync.maxRecords : Infinity;
    for (const item of search_request) {
      signal?.throwIfAborted();
      const answered = await answerSearchItem(ctx, agreement, item, request, recordsLeft);
      recordsLeft -= answered.data?.reg_records.length ?? 0;
      items.push(answered);
    }
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
      const total = await countRecords(ctx.db.readPool, compiled);
      let skip = compiled.page.offset;
      let left = compiled.page.size;
      let chunkNumber = 0;
      for await (const page of searchPages(ctx.db.readPool, compiled, chunkSize)) {
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
