import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { classifyAddress } from './address-policy.js';
import { postJson } from './post-json.js';

let server: http.Server;
let url: string;
const NONE = { allowLoopback: false, allowInternal: false };
const LOOPBACK = { allowLoopback: true, allowInternal: false };

before(async () => {
  server = http.createServer((req, res) => {
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
