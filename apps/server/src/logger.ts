import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Readable lines in a terminal; JSON lines everywhere else (files, containers, CI).
    ...(process.stdout.isTTY && !process.env.CI ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } } : {}),
    redact: { paths: ['req.headers.authorization', '*.client_secret', '*.password'], censor: '[redacted]' },
  });
}
