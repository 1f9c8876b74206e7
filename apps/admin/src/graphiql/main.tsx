/**
 * The GraphQL IDE served at GET /graphql, bundled with the console (no CDN). It runs as the
 * signed-in console user (session cookie); integrators can put `Authorization: Bearer dcis_…`
 * in the headers tab instead.
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

const fetcher = createGraphiQLFetcher({ url: '/graphql', fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }) });

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={'# Runs as the console user signed in in this browser.\n# Scripts: put {"Authorization": "Bearer dcis_…"} under Headers.\n{\n  me {\n    email\n    role\n  }\n}\n'} />
  </StrictMode>,
);
