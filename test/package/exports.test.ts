import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

/*
 * These run the built package (`npm test` builds first) through its own name, as users
 * import it, in fresh Node processes.
 */
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: process.cwd(), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim();

const EXPECTED = ['createPostConfirmationHandler', 'withProfileSync', 'compose', 'sesWelcomeEmail', 'defaultProfile', 'InvalidEventError', 'reconcile', 'createReconcileHandler', 'ReconcileError'];

describe('the built package', () => {
  it('exports the public API to ESM importers', () => {
    const out = node(['--input-type=module', '-e', "import * as m from 'cognito-profile-sync'; console.log(JSON.stringify(Object.keys(m)))"]);

    expect(JSON.parse(out)).toEqual(expect.arrayContaining(EXPECTED));
  });

  it('exports the same API to CommonJS requirers', () => {
    const out = node(['-e', "console.log(JSON.stringify(Object.keys(require('cognito-profile-sync'))))"]);

    expect(JSON.parse(out)).toEqual(expect.arrayContaining(EXPECTED));
  });

  it('serves the testing builders from cognito-profile-sync/testing', () => {
    const out = node([
      '-e',
      "const t = require('cognito-profile-sync/testing'); console.log(t.buildPostConfirmationEvent({ sub: 'abc' }).request.userAttributes.sub)",
    ]);

    expect(out).toBe('abc');
  });

  it.each([
    ['post-confirmation', ['createPostConfirmationHandler', 'isInvalidEventError', 'InvalidEventError']],
    ['compose', ['withProfileSync', 'compose', 'profileSync', 'asWelcome', 'isWelcomeError']],
    ['pre-token-generation', ['createPreTokenGenerationHandler', 'isClaimError']],
    ['admin-changes', ['createAdminChangeHandler', 'createAdminChangeBatchHandler', 'ADMIN_CHANGE_EVENT_NAMES']],
    ['reconcile', ['reconcile', 'createReconcileHandler', 'isReconcileError']],
    ['welcome', ['sesWelcomeEmail', 'escapeHtml']],
    ['mapping', ['combineMappers', 'customAttributes', 'defaultProfile']],
  ])('serves cognito-profile-sync/%s to CommonJS and ESM alike, without the other handlers', (subpath, names) => {
    const cjs = JSON.parse(node(['-e', `console.log(JSON.stringify(Object.keys(require('cognito-profile-sync/${subpath}'))))`]));
    const esm = JSON.parse(node(['--input-type=module', '-e', `import * as m from 'cognito-profile-sync/${subpath}'; console.log(JSON.stringify(Object.keys(m)))`]));

    expect(cjs).toEqual(expect.arrayContaining(names));
    expect(new Set(esm)).toEqual(new Set(cjs));
    const others = ['createPostConfirmationHandler', 'createPreTokenGenerationHandler', 'createAdminChangeHandler', 'reconcile'].filter((name) => !names.includes(name));
    expect(cjs.filter((name: string) => others.includes(name))).toEqual([]);
  });

  // Each handler's entry point has the whole error family, so that `instanceof` works against
  // the copy a CommonJS bundle holds (post-confirmation keeps to the errors its handler throws).
  it.each(['compose', 'pre-token-generation', 'admin-changes', 'reconcile', 'welcome'])(
    'serves every error class and guard of the root from cognito-profile-sync/%s',
    (subpath) => {
      const family = JSON.parse(node(['-e', "console.log(JSON.stringify(Object.keys(require('cognito-profile-sync')).filter((name) => /^[A-Z][A-Za-z]*Error$/.test(name))))"]));
      const served = JSON.parse(node(['-e', `console.log(JSON.stringify(Object.keys(require('cognito-profile-sync/${subpath}'))))`]));

      expect(family).toContain('ErasureError');
      expect(served).toEqual(expect.arrayContaining([...family, ...family.map((name: string) => `is${name}`)]));
    },
  );

  it('serves the Middy middlewares from cognito-profile-sync/middy', () => {
    const out = node(['-e', "console.log(Object.keys(require('cognito-profile-sync/middy')).sort().join(','))"]);

    expect(out).toBe('preTokenGenerationMiddleware,profileSyncMiddleware');
  });

  it('loads no SES or Cognito client code for a handler without a welcome', () => {
    const out = node([
      '-e',
      [
        "const { createPostConfirmationHandler } = require('cognito-profile-sync');",
        "createPostConfirmationHandler({ table: 'profiles' });",
        'const loaded = Object.keys(require.cache);',
        "console.log(JSON.stringify({ ses: loaded.some((k) => k.includes('client-ses')), cognito: loaded.some((k) => k.includes('client-cognito')), dynamodb: loaded.some((k) => k.includes('client-dynamodb')) }))",
      ].join('\n'),
    ]);

    expect(JSON.parse(out)).toEqual({ ses: false, cognito: false, dynamodb: true });
  });

  it("starts the bin without loading any AWS SDK client or emulator until a command needs one", () => {
    const entry = readFileSync('dist/cli/index.js', 'utf8');
    const staticImports = [...entry.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]);

    expect(staticImports.filter((name) => !name!.startsWith('.') && !builtinModules.includes(name!.replace(/^node:/, '')))).toEqual([]);
    expect(node(['dist/cli/index.js', '--version'])).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
