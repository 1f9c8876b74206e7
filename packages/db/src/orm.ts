import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { allEntities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: allEntities,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: new URL('./migrations', import.meta.url).pathname,
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: 10 },
    allowGlobalContext: false,
    ...overrides,
  });
}

export function openOrm(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** True when no migration is pending (used by /readyz). */
export async function migrationsApplied(orm: MikroORM): Promise<boolean> {
  return (await orm.getMigrator().getPendingMigrations()).length === 0;
}
