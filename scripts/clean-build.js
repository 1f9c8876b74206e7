// Removes the compiled output before `npm run build:server`, so that a deleted source file leaves no stale .js behind.
import fs from 'node:fs';
import { URL } from 'node:url';

for (const dir of ['packages/dci/dist', 'packages/db/dist', 'apps/server/dist']) fs.rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
