/**
 * The "bare" target of the HTTP comparison: Express 5 + pg, the indexed identifier lookup, rows as
 * JSON. No token, no signature, no audit: the floor any DCI server stands on.
 */
import express from 'express';
import pg from 'pg';
import { identifierQuery, lookupPersons, serverSettings } from './lookup.js';

const settings = serverSettings();
const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize });
const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.post('/registry/sync/search', express.json({ limit: '1mb' }), async (req, res) => {
  const query = identifierQuery(req.body);
  if (!query) return void res.status(400).json({ error: 'not an idtype-value search' });
  try {
    res.json(await lookupPersons(pool, query));
  } catch (error) {
    res.status(500).json({ error: (error as Error).message });
  }
});
app.listen(settings.port, '127.0.0.1');
process.on('SIGTERM', () => void pool.end().finally(() => process.exit(0)));
