import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { AppContext } from '../context.js';
import { staffIdentityOf } from '../staff/request-identity.js';
import { CONTENT_TYPES, exportFilter, exportLines, exportQuery } from '../transactions/transaction-export.js';
import { jsonError } from './errors.js';

/**
 * GET /admin-api/transactions/export?format=csv|ndjson&<the list's filters>: the filtered audit
 * log as a download, for any staff role (session cookie or API token). Rows go from a database
 * cursor to the socket as the client reads them: memory holds one batch, never the whole set.
 */
export function transactionExportRoutes(app: AppContext): Router {
  const router = Router();
  router.get('/admin-api/transactions/export', async (req, res) => {
    const { staff } = await staffIdentityOf(app.db.pool, req.headers);
    if (!staff) return jsonError(res, 401, 'unauthenticated', 'sign in, or send an API token as Authorization: Bearer');
    const query = exportQuery.safeParse(req.query);
    if (!query.success) return jsonError(res, 400, 'invalid_request', query.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    const { format } = query.data;
    const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
    res.set({ 'Content-Type': CONTENT_TYPES[format], 'Content-Disposition': `attachment; filename="transactions-${stamp}.${format}"`, 'Cache-Control': 'no-store' });
    try {
      // One batch waits in memory at most (highWaterMark 1: a batch per item). A client that goes
      // away destroys the stream, which ends the generator and closes the cursor.
      await pipeline(Readable.from(exportLines(app.db.pool, exportFilter(query.data), format), { highWaterMark: 1 }), res);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return; // the client left mid-download
      // The final error handler answers 503/500, or cuts a started download (never a short file that looks complete).
      if (!res.headersSent) res.removeHeader('Content-Disposition');
      throw error;
    }
  });
  return router;
}
