import { pino, stdSerializers, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Readable lines in a terminal; JSON lines everywhere else (files, containers, CI).
    ...(process.stdout.isTTY && !process.env.CI ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } } : {}),
    serializers: { err: errorWithoutClient },
    redact: { paths: ['req.headers.authorization', '*.client_secret', '*.password'], censor: '[redacted]' },
  });
}

/** pg attaches the whole connection (`client`) to its errors: never dump it into a log line. */
function errorWithoutClient(error: Error) {
  const serialized = stdSerializers.err(error) as ReturnType<typeof stdSerializers.err> & { client?: unknown };
  delete serialized.client;
  return serialized;
}
