import { build } from 'esbuild';
import { relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** The entry points the bench's handlers import, in the sources and as built. */
const entryPoints = {
  'cognito-profile-sync': { src: 'src/index.ts', dist: 'dist/index.js' },
  'cognito-profile-sync/post-confirmation': { src: 'src/entries/postConfirmation.ts', dist: 'dist/post-confirmation/index.js' },
  'cognito-profile-sync/welcome': { src: 'src/entries/welcome.ts', dist: 'dist/welcome/index.js' },
};

/** esbuild settings of CDK's NodejsFunction, minified, with the runtime's SDK left out. */
const lambdaSettings = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  external: ['@aws-sdk/*'],
  metafile: true,
  logLevel: 'silent',
};

/**
 * Bundles a Lambda entry. `from: 'dist'` resolves the package as users get it;
 * `from: 'src'` points it at the TypeScript sources so the metafile names each module.
 */
export async function bundle(entry, outfile, { from = 'dist' } = {}) {
  const alias = Object.fromEntries(
    Object.entries(entryPoints).map(([specifier, { src, dist }]) => [specifier, `${root}${from === 'src' ? src : dist}`]),
  );
  const result = await build({ ...lambdaSettings, entryPoints: [entry], outfile, alias, absWorkingDir: root });
  const [output] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(output.inputs).map(([path, { bytesInOutput }]) => ({ path: relative(root, `${root}${path}`), bytes: bytesInOutput }));
  return {
    outfile,
    bytes: output.bytes,
    inputs,
    /** Bytes from the package itself (dist/ or src/), not the entry file. */
    ownBytes: inputs.filter(({ path }) => path.startsWith(`${from}/`)).reduce((sum, { bytes }) => sum + bytes, 0),
    imports: output.imports.map(({ path, kind }) => ({ path, kind })),
  };
}

const SDK_CLIENTS_NOT_WANTED = /@aws-sdk\/client-(ses|cognito-identity-provider)\b/;

/** Every input or import of a bundle that is SES or Cognito-admin client code. */
export function unwantedClients(bundled) {
  return [...bundled.inputs.map(({ path }) => path), ...bundled.imports.map(({ path }) => path)].filter((path) =>
    SDK_CLIENTS_NOT_WANTED.test(path),
  );
}
