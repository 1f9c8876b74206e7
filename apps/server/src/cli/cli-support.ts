import fs from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../database.js';
import { KeyError } from '../keys/key-algorithms.js';
import { loadMasterKey, type MasterKey } from '../keys/master-key.js';
import type { Logger } from '../logger.js';
import { SenderError } from '../senders/senders.js';
import { InvalidAgreementError } from '../agreements/agreement-input.js';
import { CLI_IDENTITY } from '../staff/roles.js';
import { recordStaffAction } from '../staff/staff-audit.js';
import { StaffError } from '../staff/staff-users.js';
import { SubscriptionAdminError } from '../subscriptions/subscription-admin.js';

/** A command refused for a reason the operator can fix: printed as one line, no stack trace. */
export class CliError extends Error {}

export interface CliContext {
  config: Config;
  logger: Logger;
  db: Database;
  /** Records a change in the staff audit, as made by `cli` (GraphQL records its own the same way). */
  audit(action: string, target: string | null, change?: { before?: unknown; after?: unknown }): Promise<void>;
}

/**
 * Logs go to stderr so that stdout carries only the command's output (and stays valid JSON with --json),
 * as one readable line each (`warning: …`), never a JSON record or a dumped object.
 */
function cliLogger(config: Config): Logger {
  return pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, { write: (line: string) => process.stderr.write(`${logLine(line)}\n`) });
}

const LEVEL_LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** One pino JSON record as one line: `level: message: error message`. */
export function logLine(json: string): string {
  const record = JSON.parse(json) as { level: number; msg?: string; err?: { message?: string } };
  const parts = [record.msg, record.err?.message].filter((part) => part);
  return `${LEVEL_LABELS[record.level] ?? 'log'}: ${parts.join(': ')}`;
}

/** Runs `work` on the database (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR), migrated unless told not to. */
export async function withDatabase<T>(work: (cli: CliContext) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const logger = cliLogger(config);
  const db = await openDatabase(config, logger, options);
  try {
    const audit: CliContext['audit'] = (action, target, change) => recordStaffAction(db.pool, CLI_IDENTITY, action, target, change);
    return await work({ config, logger, db, audit });
  } finally {
    await db.close();
  }
}

/** Like withDatabase, with the master key that encrypts server private keys. */
export function withMasterKey<T>(work: (cli: CliContext & { masterKey: MasterKey }) => Promise<T>): Promise<T> {
  return withDatabase((cli) => work({ ...cli, masterKey: loadMasterKey(cli.config, cli.logger) }));
}

export async function readTextFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Rows as aligned columns under a header; `-` for empty cells. */
export function printTable(header: string[], rows: string[][]): void {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell || '-'));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const row of cells) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

export function formatDate(date: Date | null | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

/** Commander argument parser for ISO 8601 dates. */
export function isoDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('must be an ISO 8601 date such as 2026-01-31 or 2026-01-31T12:00:00Z');
  return date;
}

/** Commander argument parser for counts. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

/** Commander argument parser for row ids (UUIDs). */
export function uuid(value: string, previous: string[] = []): string[] {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new InvalidArgumentError(`${value} is not a delivery id (a UUID, see deliveries list)`);
  return [...previous, value];
}

/** Commander collector for options given several times. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function isUserError(error: unknown): boolean {
  return error instanceof CliError || error instanceof ConfigError || error instanceof KeyError || error instanceof SenderError || error instanceof InvalidAgreementError || error instanceof StaffError || error instanceof SubscriptionAdminError;
}

/** The last word on a failed command: its message on stderr and exit code 1; a stack trace only for bugs, and only with LOG_LEVEL=debug. */
export function reportFailure(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  if (!isUserError(error) && error instanceof Error && /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '')) console.error(error.stack);
  process.exit(1);
}
