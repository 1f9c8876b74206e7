import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import { createLogger } from '../logger.js';
import { listen } from './serve.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { finalErrorHandler } from './errors.js';

/** Outside the DCI and OAuth doors: small JSON errors, 405 with Allow, never Express's HTML page or a stack trace. */
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

async function expectJsonError(path: string, init: RequestInit, status: number, error: string, baseUrl = server.baseUrl) {
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, text);
  assert.doesNotMatch(text, /node_modules|\/work\/|\.ts:\d+|\bat \S+ \(|<html/i, 'no stack trace, file path or HTML page');
  assert.equal((JSON.parse(text) as { error: string }).error, error);
  return res;
}

test('an unknown route → 404 JSON (was an HTML page)', async () => {
  await expectJsonError('/no/such/thing', {}, 404, 'not_found');
  await expectJsonError('/registry/sync/nothing', { method: 'POST' }, 404, 'not_found');
});

test('a known path asked with the wrong method → 405 JSON with Allow', async () => {
  for (const [path, method, allow] of [
    ['/', 'POST', 'GET, HEAD'],
    ['/healthz', 'DELETE', 'GET, HEAD'],
    ['/.well-known/jwks.json', 'PUT', 'GET, HEAD'],
    ['/docs', 'POST', 'GET, HEAD'],
  ] as const) {
    const res = await expectJsonError(path, { method }, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
  }
});

test('a path that is not valid percent-encoding → JSON, not an HTML page', async () => {
  await expectJsonError('/docs/%E0%A4%A', {}, 404, 'not_found');
  await expectJsonError('/%E0%A4%A', {}, 404, 'not_found');
});

test('/.well-known/jwks.json while the database is unreachable → 503 JSON (was 500 with an HTML stack trace)', async () => {
  // The server reaches PostgreSQL through a loopback proxy that the test cuts, as if the database went away.
  const sockets = new Set<net.Socket>();
  let target = { host: '', port: 0 };
  const proxy = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = await startTestServer({}, {
    databaseUrl: (url) => {
      const parsed = new URL(url);
      target = { host: parsed.hostname, port: Number(parsed.port) };
      parsed.hostname = '127.0.0.1';
      parsed.port = String((proxy.address() as net.AddressInfo).port);
      return parsed.toString();
    },
  });
  try {
    assert.equal((await fetch(`${proxied.baseUrl}/.well-known/jwks.json`)).status, 200);
    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    const res = await expectJsonError('/.well-known/jwks.json', {}, 503, 'unavailable', proxied.baseUrl);
    assert.ok(res.headers.get('retry-after'));
  } finally {
    await proxied.close().catch(() => {});
  }
});

test('the final error handler answers any failure in JSON without its text, in any NODE_ENV', async () => {
  const app = express();
  app.set('env', 'development'); // where Express's own handler prints the stack
  app.get('/boom', () => {
    throw new Error('secret detail at /work/somewhere/file.ts:12:3');
  });
  app.get('/client-fault', () => {
    throw Object.assign(new Error('bad thing'), { status: 422, expose: true });
  });
  app.use(finalErrorHandler(createLogger('silent')));
  const http = await listen(app, 0, '127.0.0.1');
  try {
    const base = `http://127.0.0.1:${http.port}`;
    await expectJsonError('/boom', {}, 500, 'internal_error', base);
    await expectJsonError('/client-fault', {}, 422, 'unprocessable_entity', base);
  } finally {
    await http.close(1000);
  }
});
