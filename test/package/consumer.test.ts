import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * A bare consumer project, as a new user has one: the packed tarball (`npm pack`, so only the
 * published files), the required peers and nothing else, `skipLibCheck: false`, checked by
 * TypeScript 5 and 7. The declarations must compile with any subset of the optional peers.
 * Peers are linked from this checkout's node_modules (no registry): resolution from the
 * consumer's own files still sees only what its node_modules holds.
 */
const root = resolve(__dirname, '../..');
const modules = join(root, 'node_modules');
const compilers = {
  'TypeScript 5': join(modules, 'typescript/bin/tsc'),
  'TypeScript 7': join(modules, 'typescript7/bin/tsc'),
};
const required = ['@aws-sdk/client-dynamodb', '@aws-sdk/util-dynamodb', '@types/node'];
const optional = ['@aws-sdk/client-cognito-identity-provider', '@aws-sdk/client-ses'];

let work: string;
let unpacked: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cps-consumer-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', unpacked]);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A consumer project with these peers installed, and a handler file of each module kind. */
function project(name: string, peers: readonly string[]): string {
  const dir = join(work, name);
  const nodeModules = join(dir, 'node_modules');
  mkdirSync(join(nodeModules, '@aws-sdk'), { recursive: true });
  mkdirSync(join(nodeModules, '@types'), { recursive: true });
  // Copied, not linked: resolution from the package's own files must start in this project.
  cpSync(join(unpacked, 'package'), join(nodeModules, 'cognito-profile-sync'), { recursive: true });
  // The package's own dependency, as npm would install it.
  symlinkSync(join(modules, '@types/aws-lambda'), join(nodeModules, '@types/aws-lambda'), 'dir');
  for (const peer of peers) symlinkSync(join(modules, peer), join(nodeModules, peer), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] },
      include: ['*.ts', '*.cts'],
    }),
  );
  writeFileSync(
    join(dir, 'handler.ts'),
    [
      "import { createPostConfirmationHandler, createPreTokenGenerationHandler, reconcile, sesWelcomeEmail, type Logger } from 'cognito-profile-sync';",
      "import { buildLambdaContext, buildPostConfirmationEvent } from 'cognito-profile-sync/testing';",
      "import { profileSyncMiddleware } from 'cognito-profile-sync/middy';",
      "import { createPostConfirmationHandler as createLeanHandler } from 'cognito-profile-sync/post-confirmation';",
      "import { welcomeStep } from 'cognito-profile-sync/welcome';",
      "import { defaultProfile, profileMapper } from 'cognito-profile-sync/mapping';",
      'const logger: Logger = console;',
      "export const handler = createPostConfirmationHandler({ table: 'profiles', logger, onWelcome: sesWelcomeEmail({ source: 'a@example.com', subject: 'Hi', text: 'Hi', clientConfig: { region: 'eu-west-1' } }) });",
      "export const lean = createLeanHandler({ table: 'profiles', onWelcome: welcomeStep(async (profile, { signal }) => void [profile.userId, signal.aborted]), mapAttributes: profileMapper((attributes, context) => ({ ...defaultProfile(attributes, context), plan: 'free' })) });",
      "export const signIn = createPreTokenGenerationHandler({ table: 'profiles', claims: { plan: 'plan' } });",
      "export const middleware = profileSyncMiddleware({ table: 'profiles' });",
      "export const run = () => reconcile({ userPoolId: 'eu-west-1_Abc123', table: 'profiles', cognitoClientConfig: { region: 'eu-west-1' } });",
      'export const tryIt = () => handler(buildPostConfirmationEvent(), buildLambdaContext());',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'legacy.cts'),
    [
      "import sync = require('cognito-profile-sync');",
      "export const handler = sync.createPostConfirmationHandler({ table: 'profiles' });",
      '',
    ].join('\n'),
  );
  return dir;
}

function typeCheck(compiler: string, dir: string): string {
  try {
    execFileSync(process.execPath, [compiler, '-p', dir], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('a bare consumer project type-checks the packed package', () => {
  it('packs only the built files', () => {
    expect(readdirSync(join(unpacked, 'package')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
  });

  const variants = { 'the required peers only': required, 'every SDK peer': [...required, ...optional] };
  for (const [variant, peers] of Object.entries(variants)) {
    for (const [compilerName, compiler] of Object.entries(compilers)) {
      it(`with ${variant}, under ${compilerName}, skipLibCheck off`, () => {
        const dir = project(`${variant.replaceAll(' ', '-')}-${compilerName.replace(' ', '')}`, peers);

        expect(typeCheck(compiler, dir)).toBe('');
      }, 120_000);
    }
  }

  it('fails where it should: a wrong option is a type error (the check can fail)', () => {
    const dir = project('negative', required);
    writeFileSync(join(dir, 'wrong.ts'), "import { createPostConfirmationHandler } from 'cognito-profile-sync';\ncreatePostConfirmationHandler({ table: 'profiles', failOpen: 'yes' });\n");

    expect(typeCheck(compilers['TypeScript 5'], dir)).toMatch(/wrong\.ts.*TS2322/s);
  }, 120_000);

  it('refuses a bare function as onWelcome or mapAttributes of cognito-profile-sync/post-confirmation, at compile time', () => {
    const dir = project('negative-lean', required);
    writeFileSync(
      join(dir, 'wrong.ts'),
      [
        "import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';",
        "createPostConfirmationHandler({ table: 'profiles', onWelcome: async () => undefined });",
        "createPostConfirmationHandler({ table: 'profiles', mapAttributes: () => ({ plan: 'free' }) });",
        '',
      ].join('\n'),
    );

    const errors = typeCheck(compilers['TypeScript 5'], dir);
    expect(errors).toMatch(/wrong\.ts\(2,\d+\): error TS2322: .* not assignable to type '[^']*WelcomeStep'/);
    expect(errors).toMatch(/wrong\.ts\(3,\d+\): error TS2322: .* not assignable to type '[^']*ProfileMapper'/);
  }, 120_000);
});
