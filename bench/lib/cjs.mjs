// Bundle sizes of one handler as users' projects bundle it, resolving the package through its
// `exports` map as from node_modules (a temporary project linking this checkout), ESM and
// CommonJS, with the settings of CDK's NodejsFunction.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

async function bytesOf(entry, project) {
  const result = await build({
    entryPoints: [entry],
    outfile: join(project, 'out.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
    nodePaths: [join(project, 'node_modules')],
    // This checkout's tsconfig maps the package name to src/; a user's project has no such map.
    tsconfigRaw: {},
  });
  return Object.values(result.metafile.outputs)[0].bytes;
}

/** Bytes of the PostConfirmation handler: ESM and CommonJS from its entry, and CommonJS from the root. */
export async function measureCommonJsBundles() {
  const project = mkdtempSync(join(tmpdir(), 'cps-cjs-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'cognito-profile-sync'), 'dir');
    const lambda = (file) => join(root, 'bench/lambda', file);
    return {
      esm: await bytesOf(lambda('ours.mjs'), project),
      cjs: await bytesOf(lambda('ours-cjs.cjs'), project),
      cjsRoot: await bytesOf(lambda('ours-cjs-root.cjs'), project),
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
