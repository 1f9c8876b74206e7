import type { TransactionFilter } from './transaction-documents.js';

/** The filters live in the URL (/transactions?dciStatus=rjct&senderId=…): links and reloads keep them. */
const TEXT_KEYS = ['senderId', 'operation', 'dciStatus', 'reasonCode', 'anyId'] as const;

/** What the URL holds that is not a filter (a hand-edited date, a status out of range) is left out. */
export function filterFromSearch(search: URLSearchParams): TransactionFilter {
  const filter: TransactionFilter = {};
  for (const key of TEXT_KEYS) {
    const value = search.get(key)?.trim();
    if (value) filter[key] = value;
  }
  for (const key of ['from', 'to'] as const) {
    const value = search.get(key);
    if (value && !Number.isNaN(Date.parse(value))) filter[key] = new Date(value).toISOString();
  }
  const httpStatus = Number(search.get('httpStatus'));
  if (Number.isInteger(httpStatus) && httpStatus >= 100 && httpStatus <= 599) filter.httpStatus = httpStatus;
  return filter;
}

export function searchFromFilter(filter: TransactionFilter): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  return search;
}

/** The same filter as the export route's query string. */
export function exportHref(filter: TransactionFilter, format: 'csv' | 'ndjson'): string {
  const search = searchFromFilter(filter);
  search.set('format', format);
  return `/admin-api/transactions/export?${search}`;
}

/** `<input type="datetime-local">` values are read and shown as UTC, like every date in the console. */
export const isoFromLocalInput = (value: string): string | undefined => (value ? new Date(`${value}Z`).toISOString() : undefined);
export const localInputFromIso = (value: string | null | undefined): string => (value ? new Date(value).toISOString().slice(0, 16) : '');
