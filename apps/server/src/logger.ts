import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Our logger; `destination` (tests) replaces stdout. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: { err: errorWithoutClient },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.client_secret', '*.password'], censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  // Readable lines in a terminal; JSON lines everywhere else (files, containers, CI).
  return pino({ ...options, ...(process.stdout.isTTY && !process.env.CI ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } } : {}) });
}

/** What a request's log line says besides the request: for a DCI call, its correlation and transaction ids. */
export interface RequestLogFields {
  correlation_id?: string;
  transaction_id?: string | null;
  message_id?: string | null;
  sender_id?: string | null;
}

/**
 * pino-http's customProps: the fields a handler registered as `res.locals.logFields` (a function,
 * read when the request completes, so ids learned along the way are included).
 */
export function requestLogFields(res: { locals: Record<string, unknown> }): RequestLogFields {
  const fields = res.locals.logFields;
  return typeof fields === 'function' ? (fields as () => RequestLogFields)() : {};
}

/** Credentials that must never reach a log, even when a client wrongly puts them in a URL's query string. */
const SECRET_PARAMS = /^(client_secret|client_assertion|access_token|refresh_token|password)$/i;

/** pino-http's request serializer, with credentials in the URL and the parsed query masked. */
export function redactedRequest<R extends { url?: string; query?: unknown }>(req: R): R {
  const queryAt = req.url?.indexOf('?') ?? -1;
  if (queryAt < 0) return req;
  const params = new URLSearchParams(req.url!.slice(queryAt + 1));
  for (const name of [...params.keys()]) if (SECRET_PARAMS.test(name)) params.set(name, '[redacted]');
  const query = req.query && typeof req.query === 'object' ? Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, SECRET_PARAMS.test(k) ? '[redacted]' : v])) : req.query;
  return { ...req, url: `${req.url!.slice(0, queryAt)}?${params}`, query };
}

/** pg attaches the whole connection (`client`) to its errors: never dump it into a log line. */
function errorWithoutClient(error: Error) {
  const serialized = stdSerializers.err(error) as ReturnType<typeof stdSerializers.err> & { client?: unknown };
  delete serialized.client;
  return serialized;
}
