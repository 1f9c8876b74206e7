/**
 * The integration guide at /docs/guide: what the reference cannot say on its own (signing,
 * callbacks, replay rules). Its error table is the catalogue itself, its limits the running config.
 */
import { codeInfo, DCI_CODES, DCI_SIGNATURE_ALGORITHMS } from '@dci-server/dci';
import type { Config } from '../config.js';
import { DCI_OPERATIONS } from '../dci/routes.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorTable(): string {
  const rows = DCI_CODES.map((code) => {
    const { httpStatus, message, ackCode } = codeInfo(code);
    return `<tr><td><code>${code}</code></td><td>${httpStatus}</td><td><code>${ackCode}</code></td><td>${escapeHtml(message)}</td></tr>`;
  });
  return `<table><caption>Every code the server answers with (packages/dci/src/errors.ts)</caption>
<thead><tr><th scope="col">Code (<code>errors[0].code</code>, or an item's <code>status_reason_code</code>)</th><th scope="col">HTTP</th><th scope="col">Spec code (<code>message.error.code</code>)</th><th scope="col">Meaning</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function callbackList(): string {
  return DCI_OPERATIONS.map((op) => `<li><code>POST ${op.asyncPath}</code> → <code>&lt;sender_uri&gt;/registry/${op.callbackPath}</code> (<code>header.action: ${op.responseAction}</code>)</li>`).join('\n');
}

export function guidePage(config: Config): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Integration guide · DCI Server</title><link rel="stylesheet" href="/docs/assets/guide.css"></head>
<body><header><nav aria-label="Documentation"><a href="/docs">API reference</a> <a href="/docs/guide" aria-current="page">Integration guide</a> <a href="/openapi.json">openapi.json</a></nav></header>
<main>
<h1>Integration guide</h1>
<p>How to get a first signed answer, and the rules every DCI call follows. The <a href="/docs">API reference</a> has every endpoint with its schemas and examples.</p>
<nav aria-label="On this page"><ol>
<li><a href="#steps">A call in four steps</a></li><li><a href="#signing">Signing</a></li><li><a href="#header">Required header fields</a></li>
<li><a href="#callbacks">Callbacks and notifications</a></li><li><a href="#replay">Idempotency and replay</a></li><li><a href="#errors">Error codes</a></li></ol></nav>

<h2 id="steps">A call in four steps</h2>
<ol>
<li>Get a token: <code>POST /oauth2/client/token</code> with <code>grant_type=client_credentials</code> and your client's credentials (<code>client_secret_basic</code>, <code>client_secret_post</code> or <code>private_key_jwt</code>). It lasts ${config.tokenTtlSeconds} s; its scopes are the operations your sender may call.</li>
<li>Build the envelope <code>{"signature", "header", "message"}</code>: a fresh <code>header.message_id</code>, <code>header.message_ts</code> now, <code>header.action</code> of the endpoint.</li>
<li>Sign <code>{header, message}</code> with your sender's private key (below) and put the result in <code>signature</code>.</li>
<li><code>POST</code> it as <code>application/json</code> with <code>Authorization: Bearer &lt;token&gt;</code>. Check our answer's <code>signature</code> with our keys at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>.</li>
</ol>
<p>From this repository, <code>npm run -s cli -- sign message.json</code> prints a signed envelope with the demo sender's key.</p>

<h2 id="signing">Signing</h2>
<p>The <code>signature</code> field is a string over the <strong>canonical JSON of <code>{"header": …, "message": …}</code></strong>: RFC 8785 (JSON Canonicalization Scheme: keys sorted by UTF-16 code units, no whitespace, numbers in their shortest ECMAScript form, strings with minimal escaping, non-ASCII as UTF-8). We sign with RFC 8785; when verifying we also accept Python's <code>json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)</code>. Two schemes are accepted, told apart by the value's form; we answer each sender in the scheme registered as its preference.</p>
<h3>1. DCI signature string</h3>
<pre><code>namespace="dci", kidId="{sender_id}|{key_id}|{alg}", algorithm="{alg}", created="{unix}", expires="{unix}", headers="(created) (expires) digest", signature="{base64}"</code></pre>
<ul>
<li><code>alg</code>: ${Object.keys(DCI_SIGNATURE_ALGORITHMS).map((a) => `<code>${a}</code>`).join(', ')}. ECDSA signatures are raw r‖s (P1363); DER is also accepted.</li>
<li><code>digest</code> = base64(SHA-256(canonical JSON of <code>{header, message}</code>)).</li>
<li>The signed text is <code>(created): {created}\\n(expires): {expires}\\ndigest: {digest}</code>.</li>
<li>The <code>kidId</code> sender must equal <code>header.sender_id</code>; <code>key_id</code> names a key registered for your sender.</li>
</ul>
<h3>2. Compact JWS</h3>
<ul>
<li><code>alg</code>: <code>EdDSA</code>, <code>ES256</code>, <code>RS256</code> or <code>PS256</code>; protected header <code>{"alg", "kid", "created", "expires"}</code> (unix seconds).</li>
<li>The payload is the canonical JSON of <code>{header, message}</code>, attached or detached (empty middle segment).</li>
</ul>
<h3>Both schemes</h3>
<p><code>expires</code> after <code>created</code>, at most 300 s apart; <code>created</code> no more than 60 s in the future; <code>expires</code> no more than 60 s in the past. A missing signature is <code>err.signature.missing</code>, a wrong one <code>err.signature.invalid</code> (both 401). The compact forms (<code>/search</code>, <code>/verify</code>, <code>/subscribe</code>) have no envelope and no signature.</p>

<h2 id="header">Required header fields</h2>
<table><caption>Checked on every request, each fault with its own code</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Rule</th><th scope="col">Refused with</th></tr></thead><tbody>
<tr><td><code>version</code></td><td><code>1.0.0</code> (the default when absent)</td><td><code>rjct.version.invalid</code></td></tr>
<tr><td><code>message_id</code></td><td>required, unique per sender</td><td><code>err.request.bad</code>, <code>rjct.message_id.duplicate</code></td></tr>
<tr><td><code>message_ts</code></td><td>ISO 8601 with a time zone, within ${config.clockSkewSeconds} s of our clock</td><td><code>rjct.message_ts.invalid</code></td></tr>
<tr><td><code>action</code></td><td>the endpoint's action (<code>search</code>, <code>verify</code>, <code>txn-status</code>, <code>subscribe</code>, <code>unsubscribe</code>, <code>notify</code>)</td><td><code>rjct.action.invalid</code></td></tr>
<tr><td><code>sender_id</code></td><td>the sender the bearer token was issued to</td><td><code>rjct.sender_id.invalid</code></td></tr>
<tr><td><code>receiver_id</code></td><td>optional; when present, <code>${escapeHtml(config.receiverId)}</code></td><td><code>rjct.receiver_id.invalid</code></td></tr>
<tr><td><code>total_count</code></td><td>the number of items in the message (at most ${config.sync.maxItems} on sync endpoints)</td><td><code>rjct.total_count.invalid</code>, <code>rjct.total_count.limit_exceeded</code></td></tr>
<tr><td><code>sender_uri</code></td><td>async calls: where the answer goes, on an origin registered for the sender</td><td><code>err.sender_uri.invalid</code></td></tr>
</tbody></table>

<h2 id="callbacks">Callbacks and notifications</h2>
<p>An async endpoint answers <code>202</code> with an ACK (<code>message.ack_status: "ACK"</code> and the <code>correlation_id</code>), then POSTs its signed answer to <code>header.sender_uri</code> (or the sender's registered URI). A URI that already ends in the callback action is used as it is; otherwise <code>/registry/&lt;action&gt;</code> is appended:</p>
<ul>
${callbackList()}
<li>Subscribed events → <code>&lt;sender_uri&gt;/registry/notify</code> (<code>header.action: notify</code>; <code>transaction_id</code> is the subscription code)</li>
</ul>
<p>Callbacks are signed with our key (check them against <a href="/.well-known/jwks.json">our JWKS</a>; fetch it again on an unknown <code>kid</code>), retried with exponential backoff until your endpoint answers 2xx, and delivered at least once. Large async searches arrive as several <code>on-search</code> callbacks, <code>header.completed_count</code> of <code>total_count</code> counting records, then a last one with every item's status.</p>

<h2 id="replay">Idempotency and replay</h2>
<ul>
<li><strong><code>message_id</code> is accepted once per sender</strong>, forever: a second message with the same id is refused with <code>rjct.message_id.duplicate</code> (409), whatever its content. Sign a fresh envelope (new <code>message_id</code>) for every call, retries included.</li>
<li>The id is claimed once the call is authenticated, signed and covered by an agreement. A call refused before that (bad token, bad signature, schema error, rate limit) leaves the id unused; a call refused after it, or answered, has used it. An inbound <code>/registry/notify</code> claims its id in the same transaction as its registry change: if it fails, resend it as it was.</li>
<li>Compact requests use <code>transaction_id</code> as their <code>message_id</code>.</li>
<li><code>message_ts</code> must be within ${config.clockSkewSeconds} s of our clock and a signature lives at most 300 s: a captured request cannot be replayed later, and a replay within the window is refused by its <code>message_id</code>.</li>
<li>On your side, de-duplicate callbacks on their <code>correlation_id</code> (the one in our ACK) and <code>header.message_id</code>, and notifications on <code>transaction_id</code> + <code>notify_event[].reference_id</code>.</li>
<li>Ask <code>/registry/sync/txn/status</code> about an earlier <code>transaction_id</code> when you are unsure whether it was received.</li>
</ul>

<h2 id="errors">Error codes</h2>
<p>Every refused call answers a body that is both the spec's ACK (<code>message.ack_status: "ERR"</code> with a spec <code>message.error.code</code>) and its <code>HttpErrorResponse</code> (<code>errors[0].code</code>: our precise code). A bad item inside an otherwise good message is answered <code>rjct</code> on its own, with the code as its <code>status_reason_code</code>. <code>429</code> and <code>503</code> carry <code>Retry-After</code>.</p>
${errorTable()}
<p>The spec documents these answers follow are in <a href="/docs/social_api_v1.0.0.spdci-compliance.yaml">the social-registry API</a> and <a href="/docs/crvs_api_v1.0.0.spdci-compliance.yaml">the CRVS API</a> (Apache-2.0); our reading of their gaps is in <a href="/docs/DEFECTS.md">DEFECTS.md</a> and our additions in <a href="/docs/EXTENSIONS.md">EXTENSIONS.md</a>.</p>
</main></body></html>`;
}
