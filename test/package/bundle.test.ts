import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * What a user's bundle of the built package holds, resolved through the `exports` map as from
 * node_modules, with CDK NodejsFunction's settings. The once-only welcome protocol must come
 * only with a welcome step, and the full check of a mapper's output only with a custom
 * mapper: a handler from the per-handler entry point without them holds neither.
 */
const PROTOCOL_MARKER = 'markWelcomeSent';
/** A message only the full check of a custom mapper's output has. */
const FULL_CHECK_MARKER = 'is a class instance';
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'cps-bundle-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(process.cwd(), join(project, 'node_modules', 'cognito-profile-sync'), 'dir');
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

async function bundle(name: string, source: string, format: 'cjs' | 'esm'): Promise<string> {
  const entry = join(project, name);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format,
    minify: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
    nodePaths: [join(project, 'node_modules')],
    tsconfigRaw: {},
  });
  return result.outputFiles[0]!.text;
}

const esm = (imports: string, options: string) =>
  `import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';\n${imports}\nexport const handler = createPostConfirmationHandler(${options});\n`;
const cjs = (requires: string, options: string) =>
  `const { createPostConfirmationHandler } = require('cognito-profile-sync/post-confirmation');\n${requires}\nexports.handler = createPostConfirmationHandler(${options});\n`;

describe('the welcome protocol and the full mapper check in users’ bundles', () => {
  it.each([
    ['an ESM project', () => bundle('plain.mjs', esm('', '{ table: process.env.DDB_TABLE }'), 'cjs')],
    ['a CommonJS project', () => bundle('plain.cjs', cjs('', '{ table: process.env.DDB_TABLE }'), 'cjs')],
  ])('is left out of a handler without a welcome, in %s', async (_project, make) => {
    const code = await make();

    expect(code).toContain('attribute_not_exists(#pk)'); // the handler's own create is there
    expect(code).not.toContain(PROTOCOL_MARKER);
    expect(code).not.toContain(FULL_CHECK_MARKER);
  });

  it('comes with the full check only with a custom mapper', async () => {
    const code = await bundle(
      'mapper.mjs',
      esm("import { profileMapper } from 'cognito-profile-sync/mapping';", '{ table: process.env.DDB_TABLE, mapAttributes: profileMapper(() => ({})) }'),
      'cjs',
    );

    expect(code).toContain(FULL_CHECK_MARKER);
    expect(code).not.toContain(PROTOCOL_MARKER);
  });

  it.each([
    [
      'an ESM project',
      () => bundle('step.mjs', esm("import { welcomeStep } from 'cognito-profile-sync/welcome';", '{ table: process.env.DDB_TABLE, onWelcome: welcomeStep(async () => {}) }'), 'cjs'),
    ],
    [
      'a CommonJS project',
      () => bundle('step.cjs', cjs("const { welcomeStep } = require('cognito-profile-sync/welcome');", '{ table: process.env.DDB_TABLE, onWelcome: welcomeStep(async () => {}) }'), 'cjs'),
    ],
  ])('comes with a welcome step, in %s', async (_project, make) => {
    expect(await make()).toContain(PROTOCOL_MARKER);
  });
});
