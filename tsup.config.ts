import { defineConfig } from 'tsup';

// `npm run build` empties dist/ first: the two configs build side by side, so neither may clean.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'middy/index': 'src/middy.ts',
      'local/index': 'src/local/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    // Each entry is self-contained so that importing one subpath never evaluates
    // another's code (cold starts are part of the product).
    splitting: false,
    treeshake: true,
  },
  {
    // The `bin`: ESM only, no types. Split, so that each command's code (and the SDK clients
    // and emulators it imports) loads only when that command runs: `--help` and `reconcile`
    // work without the demo's optional peers installed.
    entry: { index: 'src/cli/bin.ts' },
    outDir: 'dist/cli',
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    splitting: true,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
