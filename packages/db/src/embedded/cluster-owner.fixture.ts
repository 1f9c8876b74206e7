import { startEmbeddedPostgres } from './embedded-postgres.js';

// Another process on the same data folder, for embedded-postgres.test.ts: starts (or attaches to) the
// cluster in argv[2], prints one JSON line with its role and port, and stops it on SIGINT.
const cluster = await startEmbeddedPostgres({ dataDir: process.argv[2]! });
console.log(JSON.stringify({ role: cluster.role, port: cluster.port }));
process.once('SIGINT', () => void cluster.stop().then(() => process.exit(0)));
setInterval(() => {}, 60_000);
