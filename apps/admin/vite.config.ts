import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API server under /admin; in dev, API calls go to the server on :8080.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  server: { proxy: { '/graphql': 'http://localhost:8080', '/readyz': 'http://localhost:8080' } },
});
