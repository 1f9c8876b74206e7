import type { Command } from 'commander';
import { importNdjson } from '../registry/import.js';
import { seedDemoRegistry } from '../registry/seed.js';
import { positiveInt, withDatabase } from './cli-support.js';

/** `migrate`, `seed`, `import`: the database and the registry's records. */
export function addDatabaseCommands(program: Command): void {
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
      withDatabase(async ({ db, audit }) => {
        const result = await seedDemoRegistry(db.pool, options.persons, (done, total) => process.stderr.write(`\r  ${done.toLocaleString()} / ${total.toLocaleString()} persons`));
        process.stderr.write('\n');
        await audit('seedRegistry', null, { after: { persons: result.persons, households: result.households } });
        const rate = Math.round(result.persons / (result.ms / 1000));
        console.log(`seeded ${result.persons} persons in ${result.households} households in ${(result.ms / 1000).toFixed(1)} s (${rate}/s)`);
      }),
    );

  program
    .command('import')
    .description('import persons and groups from NDJSON (one DCI Person or Group record per line); idempotent by identifier')
    .argument('<file>', 'NDJSON file')
    .action((file: string) =>
      withDatabase(async ({ db, audit }) => {
        const report = await importNdjson(db.orm.em.fork(), file);
        await audit('importRegistry', file, { after: { created: report.created, updated: report.updated, badLines: report.errors.length } });
        for (const problem of report.errors) console.error(`line ${problem.line}: ${problem.message}`);
        console.log(`imported: ${report.created} created, ${report.updated} updated, ${report.errors.length} bad lines (of ${report.lines})`);
        if (report.errors.length) process.exitCode = 1; // good lines are kept, but the run did not do all it was asked
      }),
    );
}
