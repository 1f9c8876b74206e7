import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API server under /admin (the GraphQL IDE page too, at GET /graphql); in dev, API calls go to the server on :8080.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    // The GraphQL IDE's editor (Monaco) is one large chunk, loaded only at /graphql.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { console: 'index.html', graphiql: 'graphiql.html' },
      // GraphiQL's "use no memo" directives are for the React compiler; bundling ignores them, harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/graphql': 'http://localhost:8080', '/admin-api': 'http://localhost:8080', '/readyz': 'http://localhost:8080' } },
});
