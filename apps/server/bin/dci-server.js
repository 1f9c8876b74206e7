#!/usr/bin/env node
// The `dci-server` command. In production (NODE_ENV=production, after `npm run build`) it runs the
// compiled CLI (start node with --conditions=production, as the Docker image does through
// NODE_OPTIONS, so that our packages resolve to their dist too); otherwise the TypeScript source
// through tsx's loader.
import process from 'node:process';

if (process.env.NODE_ENV === 'production') {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
