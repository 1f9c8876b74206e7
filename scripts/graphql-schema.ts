/** `npm run graphql:schema`: writes the management API's schema to apps/server/schema.graphql. */
import fs from 'node:fs/promises';
import { printedSchema, SCHEMA_FILE } from '../apps/server/src/graphql/schema.js';

await fs.writeFile(SCHEMA_FILE, printedSchema());
console.log(`wrote ${SCHEMA_FILE.pathname}`);
