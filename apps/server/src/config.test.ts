import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('defaults give a working local set-up', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, path.resolve('.data'));
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(config.demoData, true);
});

test('every invalid variable is named in one clear error', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DEMO_DATA: 'maybe', MASTER_KEY: 'short' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['PORT', 'DATABASE_URL', 'DEMO_DATA', 'MASTER_KEY']) assert.match(error.message, new RegExp(`${name}:`));
      return true;
    },
  );
});

test('demo data is on by default only for the embedded database', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/dci' }).demoData, false);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/dci', DEMO_DATA: 'true' }).demoData, true);
  assert.equal(loadConfig({ DEMO_DATA: 'false' }).demoData, false);
});

test('empty variables count as unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '', PORT: '' }).port, 8080);
});

test('JSON body limits: sensible defaults, bounded settings', () => {
  assert.deepEqual(loadConfig({}).jsonLimits, { maxDepth: 32, maxStringLength: 16_384, maxIdLength: 128 });
  assert.deepEqual(loadConfig({ JSON_MAX_DEPTH: '64', JSON_MAX_STRING_LENGTH: '100000', MAX_ID_LENGTH: '64' }).jsonLimits, { maxDepth: 64, maxStringLength: 100_000, maxIdLength: 64 });
  // An id longer than 500 characters could no longer be indexed (PostgreSQL's btree row limit).
  assert.throws(() => loadConfig({ MAX_ID_LENGTH: '5000' }), /MAX_ID_LENGTH/);
  assert.throws(() => loadConfig({ JSON_MAX_DEPTH: '1000' }), /JSON_MAX_DEPTH/);
});

test('observability and browser settings: metrics on without a token, no CORS origin, both validated', () => {
  assert.deepEqual(loadConfig({}).metrics, { enabled: true, token: undefined, maxSenders: 100 });
  assert.deepEqual(loadConfig({}).corsOrigins, []);
  assert.deepEqual(loadConfig({ CORS_ORIGINS: 'https://a.example.org, http://localhost:5173' }).corsOrigins, ['https://a.example.org', 'http://localhost:5173']);
  assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example.org/path' }), /CORS_ORIGINS/);
  assert.throws(() => loadConfig({ CORS_ORIGINS: '*' }), /CORS_ORIGINS/);
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
  assert.equal(loadConfig({ METRICS_ENABLED: 'false' }).metrics.enabled, false);
});
