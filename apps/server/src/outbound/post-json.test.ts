import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { classifyAddress } from './address-policy.js';
import { postJson } from './post-json.js';

let server: http.Server;
let url: string;
/** Requests that reached the receiver, by path: a refused request must never arrive. */
const arrived: string[] = [];
const NONE = { allowLoopback: false, allowInternal: false };
const LOOPBACK = { allowLoopback: true, allowInternal: false };

before(async () => {
  server = http.createServer((req, res) => {
    arrived.push(req.url ?? '');
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('addresses are classified: loopback, internal (private, link-local, metadata, CGNAT), public', () => {
  for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.equal(classifyAddress(a), 'loopback', a);
  for (const a of ['10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) assert.equal(classifyAddress(a), 'internal', a);
  for (const a of ['8.8.8.8', '2001:4860:4860::8888']) assert.equal(classifyAddress(a), 'public', a);
});

test('loopback is refused unless the sender is allowed it, by IP literal and by name', async () => {
  await assert.rejects(postJson(`${url}/x`, {}, NONE), /refusing to connect to loopback/);
  await assert.rejects(postJson(url.replace('127.0.0.1', 'localhost') + '/x', {}, NONE), /refusing to connect to loopback/);
  assert.equal((await postJson(`${url}/x`, {}, LOOPBACK)).status, 200);
});

test('internal addresses such as cloud metadata are refused before any connection', async () => {
  await assert.rejects(postJson('http://169.254.169.254/latest/meta-data', {}, LOOPBACK), /refusing to connect to internal address 169.254.169.254/);
  await assert.rejects(postJson('http://[fd00::1]/x', {}, LOOPBACK), /internal/);
});

test('redirects are not followed: a 3xx is returned as is', async () => {
  assert.equal((await postJson(`${url}/redirect`, {}, LOOPBACK)).status, 302);
});

test('only http and https', async () => {
  await assert.rejects(postJson('file:///etc/passwd', {}, LOOPBACK), /unsupported scheme/);
});

test('a kept-alive socket opened for an allowed sender is not reused for a sender refused that address', async () => {
  const origin = url.replace('127.0.0.1', 'localhost');
  assert.equal((await postJson(`${origin}/a-1`, {}, LOOPBACK)).status, 200);
  for (const attempt of [1, 2, 3]) {
    await assert.rejects(postJson(`${origin}/b-${attempt}`, {}, NONE), /refusing to connect to loopback/, `attempt ${attempt}`);
    await assert.rejects(postJson(`${url}/b-literal-${attempt}`, {}, NONE), /refusing to connect to loopback/, `attempt ${attempt}`);
  }
  assert.equal((await postJson(`${origin}/a-2`, {}, LOOPBACK)).status, 200);
  assert.deepEqual(arrived.filter((path) => /^\/[ab]-/.test(path)), ['/a-1', '/a-2']);
});
