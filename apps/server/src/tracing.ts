/**
 * Optional OpenTelemetry tracing of HTTP (in and out), Express routes and PostgreSQL queries.
 * Loaded before the app (`node --import tsx --import ./apps/server/src/tracing.ts …`: npm start,
 * npm run worker, the Docker image), because instrumentation must hook modules before they load.
 * Off unless the standard OpenTelemetry environment asks for it; off, nothing of OpenTelemetry is
 * even loaded. Exporter, protocol, endpoint, headers, sampling and batching follow the standard
 * OTEL_* variables (read by the SDK itself).
 */
import { register } from 'node:module';

/** On when OTEL_TRACES_EXPORTER names an exporter, or an OTLP endpoint is given; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none wins. */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

async function startTracing(env: NodeJS.ProcessEnv): Promise<void> {
  // Our code is ES modules: their imports are hooked through import-in-the-middle, limited to the modules instrumented here.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const [{ NodeSDK }, { HttpInstrumentation }, { ExpressInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'dci-server',
    instrumentations: [
      // Probes are not worth a trace each.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') }),
      new ExpressInstrumentation(),
      // Statements only, never their parameters (they may hold personal data).
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
}

if (tracingWanted(process.env)) await startTracing(process.env);
