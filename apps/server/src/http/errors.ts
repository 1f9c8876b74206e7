import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import { isDatabaseUnavailable } from '../database.js';

/** The small JSON error every non-DCI, non-OAuth path answers with; never a stack trace or a file path. */
export function jsonError(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

interface RouterLayer {
  route?: { _methods(): string[] };
  handle: { stack?: RouterLayer[] };
  match(path: string): { path: string } | false;
}

/** The methods the app's routes answer at `path` (for 405's Allow), found in Express's own route table. */
function routeMethods(stack: RouterLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of stack) {
    const match = layer.match(path);
    if (!match) continue;
    if (layer.route) layer.route._methods().forEach((m) => methods.add(m));
    else if (layer.handle.stack) routeMethods(layer.handle.stack, path.slice(match.path.length) || '/').forEach((m) => methods.add(m));
  }
  return methods;
}

/** Last route: 405 with Allow for a known path asked with another method, otherwise 404; JSON either way. */
export function notFound(app: Express): RequestHandler {
  return (req: Request, res: Response) => {
    const allowed = [...routeMethods((app.router as unknown as { stack: RouterLayer[] }).stack, req.path)].sort();
    if (allowed.length === 0) return jsonError(res, 404, 'not_found', 'Nothing here: see / for the service links');
    res.set('Allow', allowed.join(', '));
    if (req.method === 'OPTIONS') return void res.status(204).end();
    jsonError(res, 405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(' or ')}`);
  };
}

/** Last error handler: client faults keep their 4xx, anything else is logged and answered without detail. */
export function finalErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status, expose, message } = error as { status?: unknown; expose?: boolean; message?: string };
    const clientFault = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientFault) logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return void res.destroy();
    if (clientFault) return jsonError(res, status, snakeCase(STATUS_CODES[status] ?? 'bad_request'), expose && message ? message : 'The request could not be read');
    if (isDatabaseUnavailable(error)) return jsonError(res, 503, 'unavailable', 'The database is unavailable; try again later');
    jsonError(res, 500, 'internal_error', 'Internal error');
  };
}

const snakeCase = (text: string) => text.toLowerCase().replace(/\W+/g, '_');
