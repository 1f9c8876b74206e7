#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase, type Database } from './database.js';
import { createLogger } from './logger.js';
import { importNdjson } from './registry/import.js';
import { seedDemoRegistry } from './registry/seed.js';

/** `npm run cli -- <command>` (the `dci-server` bin): operations on the server's database. */
const program = new Command('dci-server').description('DCI Server command-line tools').showHelpAfterError();

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

async function withDatabase<T>(work: (db: Database) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, logger, options);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() =>
    withDatabase(async () => {
      console.log('database is up to date');
    }),
  );

program
  .command('seed')
  .description('load deterministic demo households into the registry (appends)')
  .option('--persons <n>', 'number of persons', positiveInt, 10_000)
  .action((options: { persons: number }) =>
    withDatabase(async (db) => {
      const result = await seedDemoRegistry(db.pool, options.persons, (done, total) => process.stderr.write(`\r  ${done.toLocaleString()} / ${total.toLocaleString()} persons`));
      process.stderr.write('\n');
      const rate = Math.round(result.persons / (result.ms / 1000));
      console.log(`seeded ${result.persons} persons in ${result.households} households in ${(result.ms / 1000).toFixed(1)} s (${rate}/s)`);
    }),
  );

program
  .command('import')
  .description('import persons and groups from NDJSON (one DCI Person or Group record per line); idempotent by identifier')
  .argument('<file>', 'NDJSON file')
  .action((file: string) =>
    withDatabase(async (db) => {
      const report = await importNdjson(db.orm.em.fork(), file);
      for (const problem of report.errors) console.error(`line ${problem.line}: ${problem.message}`);
      console.log(`imported: ${report.created} created, ${report.updated} updated, ${report.errors.length} bad lines (of ${report.lines})`);
      if (report.errors.length) process.exitCode = 2;
    }),
  );

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});
