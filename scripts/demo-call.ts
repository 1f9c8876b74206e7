/**
 * A first signed answer with the client SDK (@dci-server/client), as the demo sender that `npm start`
 * writes to .data/demo: token, signed envelope, sync search, the answer's signature checked against
 * the server's JWKS (the SDK does each step).
 *   npm run demo:search -- [identifier type] [value]
 */
import path from 'node:path';
import { DciClient, loadSenderFiles } from '@dci-server/client';

const demo = path.resolve(process.env.DATA_DIR ?? '.data', 'demo');
const [idType = 'UIN', idValue = '0000000000'] = process.argv.slice(2);

const client = new DciClient(await loadSenderFiles({ credentials: path.join(demo, 'demo-client.credentials.json'), key: path.join(demo, 'demo-client.key.jwk') }));
const answer = await client.search({ reg_record_type: 'Person', query_type: 'idtype-value', query: { type: idType, value: idValue } });

console.log(`--- request ---\n${JSON.stringify(answer.request, null, 2)}`);
console.log(`--- response ---\n${JSON.stringify({ signature: answer.signature, header: answer.header, message: answer.message }, null, 2)}`);
console.log(`--- response signature: valid (key ${answer.signedBy.kid}, ${answer.signedBy.scheme}) ---`);
