/**
 * The API documentation: /openapi.json, the reference rendered from it at /docs (Scalar's
 * standalone bundle, served from node_modules: no CDN, no inline script), the guide at
 * /docs/guide, and the spec files and GraphQL schema they point to.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { Config } from '../config.js';
import { guidePage } from './docs-guide.js';
import { openApiDocument } from './openapi/document.js';

const SPEC_DIR = path.resolve(fileURLToPath(import.meta.url), '../../../../../packages/dci/spec');
const GRAPHQL_SCHEMA = path.resolve(fileURLToPath(import.meta.url), '../../../schema.graphql');
/** Scalar's browser build: standalone.js and the chunks it loads from beside itself. */
const SCALAR_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser');

const REFERENCE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · DCI Server</title><link rel="stylesheet" href="/docs/assets/reference.css"></head>
<body><header class="docs-bar"><nav aria-label="Documentation"><a href="/docs" aria-current="page">API reference</a> <a href="/docs/guide">Integration guide</a> <a href="/openapi.json">openapi.json</a></nav></header>
<noscript><p>The reference needs JavaScript; the raw description is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<main id="reference"></main>
<script src="/docs/assets/scalar/standalone.js"></script><script src="/docs/assets/reference.js"></script></body></html>`;

/**
 * Scalar's settings: everything from this server (no web fonts from its CDN, no telemetry, no
 * hosted client or AI agent); a reference to read, not a client to send requests from (DCI calls
 * need an envelope signed per call), which also drops its auth panel. Mounted on #reference, not
 * #api-reference: the bundle mounts itself, with its default settings, on an element of that id.
 */
const REFERENCE_SCRIPT = `Scalar.createApiReference('#reference', {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  hideTestRequestButton: true,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  documentDownloadType: 'json',
  hideDarkModeToggle: true,
  forceDarkModeState: 'light',
  defaultOpenAllTags: false,
});
`;

/** Our bar above the reference, and Scalar's light theme with text dark enough for WCAG AA contrast. */
const REFERENCE_CSS = `html .light-mode{--scalar-color-3:#5e6167;--scalar-color-green:#00703f;--scalar-sidebar-color-2:#4a4d52;--scalar-sidebar-search-color:#5e6167}
.docs-bar{background:#1b1f24;padding:.5rem 1rem;font:14px system-ui,sans-serif}
.docs-bar a{color:#fff;margin-right:1.25rem;text-decoration:none}.docs-bar a[aria-current]{text-decoration:underline}
.docs-bar a:focus-visible{outline:2px solid #fff;outline-offset:2px}
`;

const GUIDE_CSS = `body{font:16px/1.55 system-ui,sans-serif;color:#1b1f24;margin:0}
header{background:#1b1f24;padding:.5rem 1rem;font-size:14px}header a{color:#fff;margin-right:1.25rem}
main{max-width:880px;margin:1.5rem auto;padding:0 1rem}code,pre{font:13px/1.45 ui-monospace,monospace;background:#f2f3f5;border-radius:3px}
code{padding:0 .2em}pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap}a{color:#0645ad}
table{border-collapse:collapse;width:100%;font-size:14px;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #c9ccd1;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eef0f3}
`;

export function docsRoutes(config: Config): Router {
  const router = Router();
  router.get('/openapi.json', async (_req, res) => {
    res.json(await openApiDocument(config.publicUrl));
  });
  router.get('/docs', (_req, res) => res.type('html').send(REFERENCE_PAGE));
  router.get('/docs/guide', (_req, res) => res.type('html').send(guidePage(config)));
  router.get('/docs/assets/reference.js', (_req, res) => res.type('js').send(REFERENCE_SCRIPT));
  router.get('/docs/assets/reference.css', (_req, res) => res.type('css').send(REFERENCE_CSS));
  router.get('/docs/assets/guide.css', (_req, res) => res.type('css').send(GUIDE_CSS));
  router.get('/docs/schema.graphql', (_req, res) => res.type('text/plain; charset=utf-8').sendFile(GRAPHQL_SCHEMA));
  router.use('/docs/assets/scalar', express.static(SCALAR_DIR, { index: false, maxAge: '1d' }));
  router.use('/docs', express.static(SPEC_DIR, { index: false, setHeaders: (res, file) => file.endsWith('.md') && res.type('text/markdown; charset=utf-8') }));
  return router;
}
