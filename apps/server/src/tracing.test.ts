import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { createTestDatabase, freePort } from '@dci-server/db';
import { tracingWanted } from './tracing.js';

const TRACING = fileURLToPath(new URL('./tracing.ts', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const children: ChildProcess[] = [];
after(() => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL')));

/** The environment without any OTEL_* variable a developer may have set. */
const withoutOtel = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));

test('tracing is on only when the standard environment asks for it', () => {
  assert.equal(tracingWanted({}), false);
  assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
  assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }), true);
  assert.equal(tracingWanted({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
  assert.equal(tracingWanted({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), false);
  assert.equal(tracingWanted({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }), false);
});

/** Runs `code` in a process started the way npm start starts the server; resolves to what it prints. */
function runPreloaded(code: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', TRACING, '--input-type=module', '-e', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (exitCode) => (clearTimeout(timer), exitCode === 0 ? resolve(output.trim()) : reject(new Error(`exited with ${exitCode}: ${output}`))));
  });
}

// The OpenTelemetry API registers itself globally under this symbol once an SDK is started.
const PROBE = `console.log(globalThis[Symbol.for('opentelemetry.js.api.1')] ? 'on' : 'off')`;

test('off by default: with no OTEL_* variable, nothing of OpenTelemetry is started', async () => {
  assert.equal(await runPreloaded(PROBE, withoutOtel()), 'off');
  // The same probe sees it when asked for (so the check above can fail).
  assert.equal(await runPreloaded(`${PROBE}; process.exit(0)`, { ...withoutOtel(), OTEL_TRACES_EXPORTER: 'console' }), 'on');
});

interface ReceivedSpan {
  scope: string;
  name: string;
}

/** A local OTLP/HTTP (JSON) trace receiver on loopback. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as { resourceSpans?: { scopeSpans: { scope: { name: string }; spans: { name: string }[] }[] }[] };
        for (const resource of parsed.resourceSpans ?? []) for (const scope of resource.scopeSpans) for (const span of scope.spans) spans.push({ scope: scope.scope.name, name: span.name });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('enabled by OTEL_* variables, the server exports spans of HTTP, Express and PostgreSQL to the OTLP endpoint', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const port = await freePort();
    const env = {
      ...withoutOtel(),
      DATABASE_URL: await createTestDatabase(),
      MASTER_KEY: randomBytes(32).toString('base64'),
      DEMO_DATA: 'false',
      RUN_WORKER: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CI: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', TRACING, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not up in 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => ((output += chunk), output.includes('DCI Server is up') && (clearTimeout(timer), resolve()));
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${output}`))));
    });
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).status, 200);

    const deadline = Date.now() + 20_000;
    const scopes = () => new Set(receiver.spans.map((s) => s.scope));
    while (!['http', 'express', 'pg'].every((kind) => scopes().has(`@opentelemetry/instrumentation-${kind}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([...scopes()].filter((s) => /instrumentation-(http|express|pg)$/.test(s)).sort(), ['@opentelemetry/instrumentation-express', '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg'], JSON.stringify(receiver.spans.slice(0, 20)));
    assert.ok(receiver.spans.some((s) => s.name === 'GET /.well-known/jwks.json'), 'the request span names its route');
    assert.ok(!receiver.spans.some((s) => s.scope === '@opentelemetry/instrumentation-http' && s.name.includes('/readyz')), 'probes are not traced');

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  } finally {
    await receiver.close();
  }
});
