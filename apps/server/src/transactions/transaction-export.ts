import type pg from 'pg';
import { z } from 'zod';
import { streamTransactions, type TransactionFilter, type TransactionRow } from './transaction-log.js';

export type ExportFormat = 'csv' | 'ndjson';

const text = z.string().trim().min(1).max(200).optional();
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value)).optional();

/** The export's query string: the format and the same filter as the GraphQL list, by the same names. */
export const exportQuery = z
  .object({
    format: z.enum(['csv', 'ndjson']).default('csv'),
    senderId: text,
    operation: text,
    dciStatus: text,
    reasonCode: text,
    httpStatus: z.coerce.number().int().min(100).max(599).optional(),
    from: instant,
    to: instant,
    transactionId: text,
    messageId: text,
    correlationId: text,
    anyId: text,
  })
  .strict();

export function exportFilter(query: z.infer<typeof exportQuery>): TransactionFilter {
  const { format: _format, ...filter } = query;
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/** What the export holds per record: the audit metadata, never the request or response bodies. */
const EXPORTED: (keyof TransactionRow)[] = [
  'id', 'createdAt', 'senderId', 'operation', 'endpoint', 'httpStatus', 'dciStatus', 'reasonCode', 'durationMs',
  'transactionId', 'messageId', 'correlationId', 'clientAddress', 'asyncStatus', 'completedCount', 'totalCount', 'callbackStatus',
];

export const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' };

export const csvHeader = (): string => `${EXPORTED.join(',')}\r\n`;

/** RFC 4180 lines; text a sender chose that a spreadsheet would run as a formula is defused with a leading '. */
export function csvLine(row: TransactionRow): string {
  return `${EXPORTED.map((key) => csvCell(row[key])).join(',')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return String(value);
  let cell = String(value);
  if (/^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

export function ndjsonLine(row: TransactionRow): string {
  return `${JSON.stringify(Object.fromEntries(EXPORTED.map((key) => [key, row[key]])))}\n`;
}

/** The export's text, a batch of lines at a time from a database cursor (the download route and `audit export` stream it). */
export async function* exportLines(pool: pg.Pool, filter: TransactionFilter, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader();
  const line = format === 'csv' ? csvLine : ndjsonLine;
  for await (const batch of streamTransactions(pool, filter)) yield batch.map(line).join('');
}
