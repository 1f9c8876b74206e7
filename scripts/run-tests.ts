/**
 * `npm test` runs this after type-check and lint: it starts one embedded PostgreSQL in a temp
 * folder, migrates a template database, then runs every *.test.ts with node's test runner.
 * Each test file copies the template into a database of its own (createTestDatabase).
 *
 * `--reliability` (`npm run test:reliability`) runs the long suites instead: every *.reliability.ts,
 * plus the *.test.ts that scale their counts up when RELIABILITY_FULL=1 (those that read it).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, TEST_SERVER_ENV } from '@dci-server/db';
import { prepareTemplateDatabase } from './test-template.js';

const ROOTS = ['packages', 'apps/server/src', 'e2e', 'scripts'];

const RELIABILITY_FLAG = '--reliability';
const RELIABILITY_ENV = 'RELIABILITY_FULL';

async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') found.push(...(await findFiles(full, suffix)));
    else if (entry.isFile() && entry.name.endsWith(suffix)) found.push(full);
  }
  return found;
}

const find = async (suffix: string) => (await Promise.all(ROOTS.map((root) => findFiles(root, suffix)))).flat();

/** The reliability suites, and the ordinary tests that read RELIABILITY_FULL to scale up. */
async function reliabilityFiles(): Promise<string[]> {
  const scaled = [];
  for (const file of await find('.test.ts')) if ((await fs.readFile(file, 'utf8')).includes(RELIABILITY_ENV)) scaled.push(file);
  return [...(await find('.reliability.ts')), ...scaled];
}

const reliability = process.argv.includes(RELIABILITY_FLAG);
const filter = process.argv.slice(2).filter((arg) => arg !== RELIABILITY_FLAG);
const files = (reliability ? await reliabilityFiles() : await find('.test.ts')).sort().filter((f) => !filter.length || filter.some((x) => f.includes(x)));
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dci-test-'));
// mkdtemp makes the folder 0700; the postgres system user (when we run as root) must enter it.
await fs.chmod(tmp, 0o755);
const cluster = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres') });
let code: number;
try {
  await prepareTemplateDatabase(cluster.url);

  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, [TEST_SERVER_ENV]: cluster.url, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...(reliability ? { [RELIABILITY_ENV]: '1' } : {}) },
  });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
} finally {
  await cluster.stop();
  await fs.rm(tmp, { recursive: true, force: true });
  // In case it had to live elsewhere (a folder the postgres user could not enter).
  await fs.rm(cluster.dataDir, { recursive: true, force: true });
  await fs.rm(`${cluster.dataDir}.password`, { force: true });
}
process.exit(code);
