import { startEmbeddedPostgres } from './embedded-postgres.js';

// Another process on the same data folder, for embedded-postgres.test.ts: starts (or attaches to) the
// cluster in argv[2], prints one JSON line with its role and port, and stops it on SIGINT.
const starting = startEmbeddedPostgres({ dataDir: process.argv[2]! });
// Listening before anything else runs: a SIGINT at any moment is handled, never the default exit.
process.once('SIGINT', () => void starting.then((cluster) => cluster.stop()).then(() => process.exit(0)));
const cluster = await starting;
console.log(JSON.stringify({ role: cluster.role, port: cluster.port }));
setInterval(() => {}, 60_000);
