import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../examples/helpers.js';
import { wildcardGrants } from '../support/cdkTemplate.js';

/*
 * The built package as users get it. The runtime entries must not reach for aws-cdk-lib (it
 * is an optional peer that Lambda bundles must never carry), and a CDK app that installs the
 * packed tarball must synthesize the construct with its defaults.
 */

const node = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  execFileSync(process.execPath, args, { cwd: options.cwd ?? process.cwd(), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...options.env } }).trim();

const RUNTIME_FILES = [
  'dist/index.js',
  'dist/index.cjs',
  ...['post-confirmation', 'pre-token-generation', 'admin-changes', 'reconcile'].flatMap((name) => [
    `dist/lambda/${name}.js`,
    `dist/lambda/${name}.cjs`,
    `dist/functions/${name}/index.mjs`,
  ]),
];

describe('the runtime entries of the built package', () => {
  it.each(RUNTIME_FILES)('%s imports nothing of aws-cdk-lib or constructs', (file) => {
    const code = readFileSync(file, 'utf8');

    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/["'](aws-cdk-lib|constructs)(\/[^"']*)?["']/);
  });

  it('keeps each ready bundle (dist/functions) alone in its folder', () => {
    for (const name of readdirSync('dist/functions')) expect(readdirSync(join('dist/functions', name))).toEqual(['index.mjs']);
  });

  it('serves the ready handlers by subpath to ESM and CommonJS, configured by the environment', () => {
    const env = { TABLE_NAME: 'profiles', USER_POOL_ID: 'eu-west-1_AbC123' };
    const esm = node(
      ['--input-type=module', '-e', "const m = await import('cognito-profile-sync/lambda/reconcile'); console.log(typeof m.handler)"],
      { env },
    );
    const cjs = node(['-e', "console.log(typeof require('cognito-profile-sync/lambda/admin-changes').handler)"], { env });

    expect([esm, cjs]).toEqual(['function', 'function']);
  });

  it('fails a ready handler at load, naming the variable, when the environment lacks it', () => {
    const out = node([
      '-e',
      "try { require('cognito-profile-sync/lambda/post-confirmation'); console.log('loaded') } catch (e) { console.log(e.name + ' ' + e.option) }",
    ], { env: { TABLE_NAME: '' } });

    expect(out).toBe('ConfigurationError TABLE_NAME');
  });

  it('serves ProfileSync from cognito-profile-sync/cdk to ESM and CommonJS', () => {
    const esm = node(['--input-type=module', '-e', "import { ProfileSync } from 'cognito-profile-sync/cdk'; console.log(typeof ProfileSync)"]);
    const cjs = node(['-e', "console.log(typeof require('cognito-profile-sync/cdk').ProfileSync)"]);

    expect([esm, cjs]).toEqual(['function', 'function']);
  });
});

/**
 * A CDK app of a user's: it defines a pool and `new ProfileSync(stack, 'Profiles', { userPool })`,
 * synthesizes, runs cdk-nag, and prints where the template went and what cdk-nag found.
 */
const APP = (load: string) => `
${load}
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
const userPool = new cognito.UserPool(stack, 'UserPool', {
  signInAliases: { email: true },
  passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
  mfa: cognito.Mfa.REQUIRED,
  mfaSecondFactor: { otp: true, sms: false },
  featurePlan: cognito.FeaturePlan.PLUS,
  standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
});
new ProfileSync(stack, 'Profiles', { userPool });
const assembly = app.synth();
// cdk-nag once (in the ESM app) is enough: the two builds make the same tree.
const violations = process.argv[3] === 'nag' ? new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName) : undefined;
console.log(JSON.stringify({ template: assembly.getStackByName('Consumer').templateFullPath, violations }));
`;
const ESM_APP = APP(`import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ProfileSync } from 'cognito-profile-sync/cdk';`);
const CJS_APP = APP(`const { App, Stack } = require('aws-cdk-lib');
const cognito = require('aws-cdk-lib/aws-cognito');
const { AwsSolutionsChecks } = require('cdk-nag');
const { ProfileSync } = require('cognito-profile-sync/cdk');`);

describe('a CDK app using the packed tarball', () => {
  let project: string;

  beforeAll(() => {
    // The package as npm installs it: the tarball unpacked into node_modules. aws-cdk-lib,
    // constructs and cdk-nag are the app's own dependencies; linked from this repository's
    // node_modules rather than installed, so that the test needs no network.
    project = mkdtempSync(join(tmpdir(), 'cognito-profile-sync-consumer-'));
    const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', project], { encoding: 'utf8' })) as [{ filename: string }];
    const installed = join(project, 'node_modules', 'cognito-profile-sync');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(project, filename), '-C', installed, '--strip-components=1']);
    for (const dependency of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
      symlinkSync(join(process.cwd(), 'node_modules', dependency), join(project, 'node_modules', dependency), 'dir');
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(join(project, 'app.mjs'), ESM_APP);
    writeFileSync(join(project, 'app.cjs'), CJS_APP);
  }, 120_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  // Synthesis of a whole app takes seconds, and much longer on a busy machine.
  it.each([
    ['app.mjs', 'nag'],
    ['app.cjs', 'no-nag'],
  ])('%s synthesizes the defaults: four functions from the installed package, no wildcard grant, cdk-nag clean', { timeout: 180_000 }, (file, nag) => {
    const outdir = join(project, `cdk.out-${file}`);
    const { template, violations } = JSON.parse(node([file, outdir, nag], { cwd: project })) as { template: string; violations?: string[] };
    const json = JSON.parse(readFileSync(template, 'utf8')) as CfnTemplate;
    const functions = Object.values(json.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');

    if (nag === 'nag') expect(violations).toEqual([]);
    expect(wildcardGrants(json)).toEqual([]);
    expect(functions).toHaveLength(4);
    const installedBundles = new Set(
      readdirSync(join(project, 'node_modules/cognito-profile-sync/dist/functions')).map((name) =>
        readFileSync(join(project, 'node_modules/cognito-profile-sync/dist/functions', name, 'index.mjs'), 'utf8'),
      ),
    );
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
      const asset = join(outdir, `asset.${String((fn.Properties!.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`);
      expect(installedBundles.has(readFileSync(join(asset, 'index.mjs'), 'utf8'))).toBe(true);
    }
  });
});
