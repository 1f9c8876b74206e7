import { defineConfig } from 'tsup';

// packages/dci is not published: the parts the client uses (signing, error catalogue, message types) are bundled in, JS and .d.ts alike.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  noExternal: [/^@dci-server\/dci/],
  dts: { resolve: ['@dci-server/dci/signing', '@dci-server/dci/types', '@dci-server/dci/errors'] },
});
