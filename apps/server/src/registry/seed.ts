import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { withTransaction } from '../database.js';
import { REGISTRY_TABLES, vacuumAnalyzeRegistry } from './analyze.js';
import { demoHousehold, type DemoHousehold } from './demo-generator.js';

export interface SeedResult {
  persons: number;
  households: number;
  firstHousehold: number;
  ms: number;
}

const BATCH_PERSONS = 50_000;
const DEMO_GROUP_ID_TYPE = 'HouseholdID';

/**
 * Loads `persons` demo persons in households with COPY, batch by batch (one transaction each).
 * Appends after the demo households already present, so running it twice adds new people. Into an
 * empty registry, the secondary indexes are built after the load (see withIndexesBuiltAfter).
 * Ends with VACUUM (ANALYZE), so the first searches after the load get good plans and index-only scans.
 */
export async function seedDemoRegistry(pool: pg.Pool, persons: number, onProgress?: (done: number, total: number) => void): Promise<SeedResult> {
  const started = Date.now();
  const { rows } = await pool.query<{ next: string }>(
    `SELECT coalesce(max(substring(identifier_value from 4)::int), 0) AS next FROM registry_group WHERE identifier_type = $1 AND identifier_value ~ '^HH-[0-9]+$'`,
    [DEMO_GROUP_ID_TYPE],
  );
  const firstHousehold = Number(rows[0]!.next);
  const empty = (await pool.query('SELECT NOT EXISTS (SELECT 1 FROM person) AS empty')).rows[0]!.empty as boolean;
  const loaded = await (empty ? withIndexesBuiltAfter(pool, () => load(pool, persons, firstHousehold, onProgress)) : load(pool, persons, firstHousehold, onProgress));
  await vacuumAnalyzeRegistry((sql) => pool.query(sql));
  return { ...loaded, firstHousehold, ms: Date.now() - started };
}

/**
 * Runs `work` (a bulk load) without the registry tables' secondary indexes, then builds them again
 * from their definitions in the catalogue (whatever the migrations made): one sorted pass per index
 * costs far less than updating every index row by row during the load. Primary keys and unique
 * constraints stay, so the load is still checked against them.
 */
async function withIndexesBuiltAfter<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const { rows: indexes } = await pool.query<{ drop: string; create: string }>(
    `SELECT format('DROP INDEX %I.%I', n.nspname, c.relname) AS drop, pg_get_indexdef(i.indexrelid) AS create
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [REGISTRY_TABLES],
  );
  for (const { drop } of indexes) await pool.query(drop);
  try {
    return await work();
  } finally {
    for (const { create } of indexes) await pool.query(create.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '));
  }
}

async function load(pool: pg.Pool, persons: number, firstHousehold: number, onProgress?: (done: number, total: number) => void): Promise<{ persons: number; households: number }> {
  let household = firstHousehold;
  let planned = 0;
  let done = 0;
  // Two batches in flight: one core builds and streams rows while the other indexes them.
  const inFlight = new Set<Promise<void>>();
  try {
    while (planned < persons) {
      const batch: DemoHousehold[] = [];
      let batchPersons = 0;
      while (batchPersons < BATCH_PERSONS && planned + batchPersons < persons) {
        const h = demoHousehold(household++);
        h.members = h.members.slice(0, persons - planned - batchPersons);
        batch.push(h);
        batchPersons += h.members.length;
      }
      planned += batchPersons;
      const work: Promise<void> = copyBatch(pool, batch).then(() => {
        inFlight.delete(work);
        done += batchPersons;
        onProgress?.(done, persons);
      });
      inFlight.add(work);
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (error) {
    await Promise.allSettled(inFlight); // let the other batch finish or fail before reporting
    throw error;
  }
  return { persons: done, households: household - firstHousehold };
}

async function copyBatch(pool: pg.Pool, batch: DemoHousehold[]): Promise<void> {
  const person: string[] = [];
  const identifier: string[] = [];
  const group: string[] = [];
  const membership: string[] = [];
  for (const h of batch) {
    const head = h.members[0]!;
    group.push(row([h.id, DEMO_GROUP_ID_TYPE, h.identifier, h.groupType, head.id, h.members.length, h.povertyScore, 'PMT', h.streetAddress, h.city, h.location, h.postalCode, 'TZ', h.latitude, h.longitude, h.registrationDate]));
    for (const p of h.members) {
      person.push(row([p.id, p.givenName, p.surname, p.sex, p.birthDate, p.deathDate, p.maritalStatus, p.isDisabled, h.streetAddress, h.city, h.location, h.postalCode, 'TZ', p.phone ? `{${p.phone}}` : '{}', h.registrationDate]));
      identifier.push(row([p.id, 'UIN', p.uin]));
      if (p.nationalId) identifier.push(row([p.id, 'NationalID', p.nationalId]));
      membership.push(row([h.id, p.id, p.relationship, p.relationship === 'head']));
    }
  }
  await withTransaction(pool, async (client) => {
    await skipForeignKeyChecks(client);
    await copy(client, 'person (id, given_name, surname, sex, birth_date, death_date, marital_status, is_disabled, street_address, city, location, postal_code, country, phone_numbers, registration_date)', person);
    await copy(client, 'person_identifier (person_id, identifier_type, identifier_value)', identifier);
    await copy(client, 'registry_group (id, identifier_type, identifier_value, group_type, head_id, group_size, poverty_score, poverty_score_type, street_address, city, location, postal_code, country, latitude, longitude, registration_date)', group);
    await copy(client, 'group_membership (group_id, person_id, relationship, is_head)', membership);
  });
}

/**
 * The generator builds consistent households, so per-row foreign-key checks only cost time
 * (most of it, on 1,000,000 persons). Skipping them needs superuser rights, which the embedded
 * database has; elsewhere the savepoint undoes the attempt and the checks stay on.
 */
async function skipForeignKeyChecks(client: pg.PoolClient): Promise<void> {
  await client.query('SAVEPOINT fk');
  try {
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query('RELEASE SAVEPOINT fk');
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT fk');
  }
}

async function copy(client: pg.PoolClient, target: string, rows: string[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN`));
  await pipeline(Readable.from(chunks(rows)), stream);
}

function* chunks(rows: string[]): Generator<string> {
  for (let i = 0; i < rows.length; i += 5000) yield rows.slice(i, i + 5000).join('');
}

/** One line of COPY text format; our demo values never contain tabs, newlines or backslashes. */
function row(values: unknown[]): string {
  return values.map((v) => (v === undefined || v === null ? '\\N' : String(v))).join('\t') + '\n';
}
