import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from './config.js';

// Docker cannot run on our machines: these check the deployment files' shape instead (the compiled
// server itself is run by production-build.test.ts).
const ROOT = new URL('../../../', import.meta.url);
const read = (file: string) => fs.readFile(new URL(file, ROOT), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = async () => parse(await read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };

/** `${VAR:-default}` → default, `${VAR:?message}` → a valid value for VAR, as compose would fill them with nothing set but MASTER_KEY. */
function interpolated(environment: Record<string, string>): Record<string, string> {
  const required: Record<string, string> = { MASTER_KEY: randomBytes(32).toString('base64') };
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, String(value).replace(/\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g, (_, name: string, fallback?: string) => required[name] ?? fallback ?? '')]),
  );
}

test('compose: PostgreSQL 16 with a volume and a health check; servers and workers wait for it', async () => {
  const { services, volumes } = await compose();
  const postgres = services.postgres!;
  assert.match(postgres.image!, /^postgres:16/);
  const [volume, mountedAt] = postgres.volumes![0]!.split(':');
  assert.equal(mountedAt, '/var/lib/postgresql/data');
  assert.ok(volume! in volumes, 'a named volume');
  assert.match(postgres.healthcheck!.test.join(' '), /pg_isready/);
  for (const name of ['server', 'worker']) assert.equal(services[name]!.depends_on?.postgres?.condition, 'service_healthy', name);
});

test('compose: several server replicas behind one published port, checked on /readyz; scalable workers; compiled output, no tsx', async () => {
  const { services } = await compose();
  const { server, worker, proxy } = services;
  assert.ok(server && worker && proxy);
  assert.ok((server.deploy?.replicas ?? 1) >= 2, 'several server replicas');
  assert.equal(server.ports, undefined, 'replicas publish no port of their own');
  assert.deepEqual(server.expose, ['8080']);
  assert.match(server.healthcheck!.test.join(' '), /\/readyz/);
  assert.equal(server.environment!.RUN_WORKER, 'false', 'background work runs in the workers');
  // Tracing is preloaded (it loads nothing unless OTEL_* variables ask for it).
  assert.deepEqual(server.command, ['node', '--import', './apps/server/dist/tracing.js', 'apps/server/dist/main.js']);
  assert.deepEqual(worker.command, ['node', '--import', './apps/server/dist/tracing.js', 'apps/server/dist/worker.js']);
  assert.ok((worker.deploy?.replicas ?? 1) >= 1);
  assert.equal(server.image, worker.image, 'one image');
  const published = Object.values(services).flatMap((s) => s.ports ?? []);
  assert.equal(published.length, 1, 'one published port');
  assert.match(published[0]!, /:8080$/);
  assert.deepEqual(proxy.ports, published);

  const haproxy = await read('deploy/haproxy.cfg');
  assert.ok(proxy.volumes!.some((v) => v.startsWith('./deploy/haproxy.cfg:')), 'the proxy uses deploy/haproxy.cfg');
  assert.match(haproxy, /^\s*server-template \w+ \d+ server:8080\b/m, 'every replica of the server service');
  assert.match(haproxy, /option httpchk GET \/readyz/);
  assert.match(haproxy, /^\s*bind :8080$/m);
  assert.doesNotMatch(await read('docker-compose.yml'), /tsx/);
});

test('compose: configuration through environment variables the server knows, valid with only MASTER_KEY given', async () => {
  const { services } = await compose();
  for (const name of ['server', 'worker']) {
    const environment = interpolated(services[name]!.environment!);
    for (const key of Object.keys(environment)) assert.ok(key === 'NODE_ENV' || CONFIG_VARIABLES.includes(key), `${name}: ${key} is a configuration variable`);
    const config = loadConfig(environment);
    assert.equal(config.databaseUrl, 'postgres://dci:dci@postgres:5432/dci');
    assert.equal(config.demoData, false);
    assert.equal(config.auditRetentionDays, undefined, 'audit kept for ever unless asked');
  }
});

test('Dockerfile: multi-stage, the runtime runs the compiled server as a non-root user with NODE_ENV=production', async () => {
  const dockerfile = await read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  assert.ok(stages.length >= 2, 'multi-stage');
  const runtime = stages.at(-1)!;
  assert.match(runtime, /--omit=dev/);
  assert.match(runtime, /NODE_ENV=production/);
  assert.match(runtime, /--conditions=production/);
  assert.match(runtime, /^USER node$/m);
  assert.match(runtime, /^CMD \["node", "--import", "\.\/apps\/server\/dist\/tracing\.js", "apps\/server\/dist\/main\.js"\]$/m);
  assert.match(runtime, /HEALTHCHECK[\s\S]*\/readyz/);
  assert.doesNotMatch(runtime, /tsx/);
  assert.match(stages.find((s) => /npm run build/.test(s)) ?? '', /npm ci/, 'a build stage compiles with dev dependencies');
});

test('README: the configuration table lists every variable the server reads', async () => {
  const readme = await read('README.md');
  const listed = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual(CONFIG_VARIABLES.filter((v) => !listed.has(v)), []);
});
