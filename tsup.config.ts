import { defineConfig } from 'tsup';

/**
 * One entry point per handler (`cognito-profile-sync/<name>`): a CommonJS bundle of a handler
 * holds every module its entry requires, so the root entry would bring them all.
 */
const HANDLER_ENTRIES = {
  'post-confirmation': 'src/entries/postConfirmation.ts',
  compose: 'src/entries/compose.ts',
  'pre-token-generation': 'src/entries/preTokenGeneration.ts',
  'admin-changes': 'src/entries/adminChanges.ts',
  reconcile: 'src/entries/reconcile.ts',
  welcome: 'src/entries/welcome.ts',
  mapping: 'src/entries/mapping.ts',
};

/** The ready Lambda handlers, by subpath (`cognito-profile-sync/lambda/<name>`). */
const READY_HANDLERS = {
  'post-confirmation': 'src/lambda/postConfirmation.ts',
  'pre-token-generation': 'src/lambda/preTokenGeneration.ts',
  'admin-changes': 'src/lambda/adminChanges.ts',
  reconcile: 'src/lambda/reconcile.ts',
};

// `npm run build` empties dist/ first: the configs build side by side, so none may clean.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'middy/index': 'src/middy.ts',
      'local/index': 'src/local/index.ts',
      ...Object.fromEntries(Object.entries(HANDLER_ENTRIES).map(([name, source]) => [`${name}/index`, source])),
      ...Object.fromEntries(Object.entries(READY_HANDLERS).map(([name, source]) => [`lambda/${name}`, source])),
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
    // `cognito-profile-sync/cdk`: built apart, with aws-cdk-lib and constructs left to the
    // app. Shims give the CommonJS build `import.meta.url`, which finds dist/functions/.
    entry: { 'cdk/index': 'src/cdk/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    shims: true,
    external: ['aws-cdk-lib', /^aws-cdk-lib\//, 'constructs'],
  },
  {
    // The ready handlers as the construct deploys them: one minified ESM file per folder
    // (dist/functions/<name>/index.mjs), the AWS SDK left to the Lambda runtime, so that
    // a deployment needs neither esbuild nor Docker.
    entry: Object.fromEntries(Object.entries(READY_HANDLERS).map(([name, source]) => [`functions/${name}/index`, source])),
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    target: 'node20',
    platform: 'node',
    minify: true,
    splitting: false,
    treeshake: true,
    external: [/^@aws-sdk\//],
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
