import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const SPEC_DIR = path.resolve(fileURLToPath(import.meta.url), '../../../../../packages/dci/spec');

const INDEX = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>DCI Server API</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2em}</style></head><body>
<h1>DCI Server API</h1>
<p>The DCI social-registry API (SPDCI v1.0.0). Every call needs <code>Authorization: Bearer</code> from
<code>POST /oauth2/client/token</code> (client credentials) and a signed envelope <code>{signature, header, message}</code>.</p>
<ul>
<li><a href="/docs/social_api_v1.0.0.spdci-compliance.yaml">DCI social-registry OpenAPI document</a> (the contract our requests and answers are validated against)</li>
<li><a href="/docs/EXTENSIONS.md">Our extensions</a>: verify (claims without disclosure), the compact form, signature schemes, error bodies, subscriptions and notifications, large async searches</li>
<li><a href="/docs/crvs_api_v1.0.0.spdci-compliance.yaml">DCI CRVS OpenAPI document</a> (inbound notify of vital events)</li>
<li><a href="/docs/DEFECTS.md">Known defects of the spec and how we handle them</a></li>
<li><a href="/.well-known/jwks.json">Our public keys (JWKS)</a>: verify the signatures of our answers and callbacks</li>
</ul>
<h2>Endpoints</h2>
<ul>
<li><code>POST /registry/sync/search</code>, <code>POST /registry/search</code> (ACK, then <code>/registry/on-search</code> to <code>header.sender_uri</code>)</li>
<li><code>POST /registry/sync/verify</code>, <code>POST /registry/verify</code> (then <code>/registry/on-verify</code>)</li>
<li><code>POST /registry/sync/txn/status</code>, <code>POST /registry/txn/status</code> (then <code>/registry/txn/on-status</code>)</li>
<li><code>POST /registry/sync/subscribe</code>, <code>POST /registry/subscribe</code> (then <code>/registry/on-subscribe</code>); notifications are POSTed to <code>&lt;sender_uri&gt;/registry/notify</code></li>
<li><code>POST /registry/sync/unsubscribe</code>, <code>POST /registry/unsubscribe</code> (then <code>/registry/on-unsubscribe</code>)</li>
<li><code>POST /registry/notify</code>: inbound events from a civil registry (CRVS notify), applied and fanned out</li>
<li><code>POST /search</code>, <code>POST /verify</code>, <code>POST /subscribe</code>: compact form</li>
</ul></body></html>`;

/** Human-readable API documentation and the spec files it rests on. */
export function docsRoutes(): Router {
  const router = Router();
  router.get('/docs', (_req, res) => res.type('html').send(INDEX));
  router.use('/docs', express.static(SPEC_DIR, { index: false, setHeaders: (res, file) => file.endsWith('.md') && res.type('text/markdown; charset=utf-8') }));
  return router;
}
