import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DCI_STATUSES } from '@dci-server/dci';
import { Option, type Command } from 'commander';
import { exportLines, type ExportFormat } from '../transactions/transaction-export.js';
import { findTransaction, listTransactions, type TransactionFilter, type TransactionRow } from '../transactions/transaction-log.js';
import { CliError, formatDate, isoDate, positiveInt, printJson, printTable, withDatabase } from './cli-support.js';

interface FilterOptions {
  sender?: string;
  operation?: string;
  status?: string;
  reason?: string;
  httpStatus?: number;
  from?: Date;
  to?: Date;
  transactionId?: string;
  messageId?: string;
  correlationId?: string;
  id?: string;
}

/** The console's transaction filters, as options (list and export share them). */
function withFilterOptions(command: Command): Command {
  return command
    .option('--sender <sender_id>', 'only this sender')
    .option('--operation <operation>', 'search, verify, txn_status, subscribe, unsubscribe, notify')
    .addOption(new Option('--status <status>', 'DCI status').choices([...DCI_STATUSES]))
    .option('--reason <code>', 'reason code, e.g. err.signature.invalid')
    .option('--http-status <n>', 'HTTP status', positiveInt)
    .option('--from <date>', 'at or after (ISO 8601)', isoDate)
    .option('--to <date>', 'before (ISO 8601)', isoDate)
    .option('--transaction-id <id>', 'message.transaction_id')
    .option('--message-id <id>', 'header.message_id')
    .option('--correlation-id <id>', 'our correlation_id')
    .option('--id <id>', 'any one of: the record id, transaction, message or correlation id');
}

function filterOf(o: FilterOptions): TransactionFilter {
  const filter: TransactionFilter = {
    senderId: o.sender, operation: o.operation, dciStatus: o.status, reasonCode: o.reason, httpStatus: o.httpStatus, from: o.from, to: o.to,
    transactionId: o.transactionId, messageId: o.messageId, correlationId: o.correlationId, anyId: o.id,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/**
 * `audit list|show|export`: the DCI audit log (every call, accepted or refused), filtered like the
 * console's transactions page. Returns the `audit` group so that more subcommands can join it.
 */
export function addAuditCommands(program: Command): Command {
  const audit = program.command('audit').description('the DCI audit log: every call, accepted or refused');

  withFilterOptions(audit.command('list').description('audit records, newest first (keyset pages: --after <cursor>)'))
    .option('--limit <n>', 'how many (at most 1000)', positiveInt, 50)
    .option('--after <cursor>', 'the page after this cursor (printed at the end of the previous page)')
    .option('--json', 'print JSON')
    .action((options: FilterOptions & { limit: number; after?: string; json?: boolean }) =>
      withDatabase(async ({ db }) => {
        if (options.limit < 1 || options.limit > 1000) throw new CliError('--limit must be between 1 and 1000');
        const page = await listTransactions(db.pool, filterOf(options), { first: options.limit, after: options.after }).catch((error: unknown) => {
          throw error instanceof RangeError ? new CliError(`--after: ${error.message}`) : error;
        });
        // The next page's cursor goes to stderr, so that stdout stays one table or one JSON array.
        const next = page.hasNextPage ? page.rows.at(-1)?.cursor : undefined;
        if (options.json) printJson(page.rows);
        else printTable(['time', 'sender', 'operation', 'http', 'status', 'reason', 'ms', 'transaction', 'id'], page.rows.map(tableRow));
        if (next) console.error(`more: --after ${next}`);
      }),
    );

  audit
    .command('show')
    .description('one audit record with the request and response as stored (secrets redacted)')
    .argument('<id>', 'the record id, or a transaction, message or correlation id (its newest record)')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) =>
      withDatabase(async ({ db }) => {
        const byId = await findTransaction(db.pool, id);
        const matches = byId ? [] : (await listTransactions(db.pool, { anyId: id }, { first: 2 })).rows;
        const record = byId ?? (matches[0] && (await findTransaction(db.pool, matches[0].id)));
        if (!record) throw new CliError(`no audit record for ${id}`);
        if (matches.length > 1) console.error(`${id} names several records; this is the newest (audit list --id ${id} lists them)`);
        if (options.json) return printJson(record);
        const { request, response, ...meta } = record;
        for (const [key, value] of Object.entries(meta)) console.log(`${`${key}:`.padEnd(16)}${value instanceof Date ? formatDate(value) : (value ?? '-')}`);
        console.log(`--- request ---\n${JSON.stringify(request, null, 2)}\n--- response ---\n${JSON.stringify(response, null, 2)}`);
      }),
    );

  withFilterOptions(audit.command('export').description('every matching record (metadata, no bodies), streamed from a database cursor'))
    .addOption(new Option('--format <format>', 'CSV (RFC 4180) or one JSON object per line').choices(['csv', 'ndjson']).default('csv'))
    .option('--output <file>', 'write to this file instead of stdout')
    .action((options: FilterOptions & { format: ExportFormat; output?: string }) =>
      withDatabase(async ({ db }) => {
        const target = options.output ? fs.createWriteStream(options.output, { flags: 'wx' }) : process.stdout;
        await pipeline(Readable.from(exportLines(db.pool, filterOf(options), options.format), { highWaterMark: 1 }), target, { end: target !== process.stdout }).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'EEXIST' ? new CliError(`${options.output} exists already`) : error;
        });
      }),
    );

  return audit;
}

function tableRow(r: TransactionRow): string[] {
  return [formatDate(r.createdAt), r.senderId ?? '', r.operation, String(r.httpStatus), r.dciStatus, r.reasonCode ?? '', String(Math.round(r.durationMs)), r.transactionId ?? '', r.id];
}
