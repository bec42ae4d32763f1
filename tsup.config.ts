import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'middy/index': 'src/middy.ts',
    'local/index': 'src/local/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Each entry is self-contained so that importing one subpath never evaluates
  // another's code (cold starts are part of the product).
  splitting: false,
  treeshake: true,
});
