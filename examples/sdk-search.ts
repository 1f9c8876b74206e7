/**
 * An integrator's script with the client SDK, as the demo sender (`npm start` writes its files to
 * .data/demo): a sync search page by page, then an async search whose signed on-search callback
 * comes back to a receiver this script runs on 127.0.0.1 (the demo sender may receive on loopback).
 *   node --import tsx examples/sdk-search.ts [location]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DciClient, DciReceiver, loadSenderFiles, type DciIncoming, type SearchQuery } from '@dci-server/client';

const demo = path.resolve(process.env.DATA_DIR ?? '.data', 'demo');
const location = process.argv[2] ?? 'central_region';
const client = new DciClient(await loadSenderFiles({ credentials: path.join(demo, 'demo-client.credentials.json'), key: path.join(demo, 'demo-client.key.jwk') }));

const heads: SearchQuery = {
  reg_record_type: 'Group',
  query_type: 'expression',
  query: { type: 'ns:org:QueryType:expression', value: { expression: { collection: 'Group', query: { $and: [{ location: { $eq: location } }, { poverty_score: { $lt: 30 } }] } } } },
  sort: [{ attribute_name: 'poverty_score', sort_order: 'asc' }],
};

// 1. Sync, three pages of 20 at most (each page is one signed request and one verified answer).
for await (const page of client.searchPages(heads, { pageSize: 20, maxPages: 3 })) {
  console.log(`page ${page.pageNumber}: ${page.records.length} of ${page.totalCount} households in ${location}`);
}

// 2. Async: the server ACKs now and POSTs the signed answer to <callbackUri>/registry/on-search.
let deliver: (incoming: DciIncoming) => void = () => {};
const answered = new Promise<DciIncoming>((resolve, reject) => {
  deliver = resolve;
  setTimeout(() => reject(new Error('no callback within 30 s (is the worker running?)')), 30_000).unref();
});
const receiver = new DciReceiver({ serverKeys: client.serverKeys, onMessage: (incoming) => deliver(incoming) });
const listener = http.createServer(receiver.middleware()).listen(0, '127.0.0.1');
await new Promise((resolve) => listener.once('listening', resolve));
try {
  const accepted = await client.searchAsync({ ...heads, pagination: { page_size: 100 } }, { callbackUri: `http://127.0.0.1:${(listener.address() as AddressInfo).port}` });
  console.log(`async search ${accepted.transactionId}: ${accepted.ack.ack_status}`);
  const incoming = await answered;
  if (incoming.action === 'on-search') {
    const [item] = incoming.message.search_response;
    console.log(`callback ${incoming.action} (signature checked, key ${incoming.signedBy.kid}): ${item?.data?.reg_records.length ?? 0} households`);
  }
} finally {
  listener.close();
}
