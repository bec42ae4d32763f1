/**
 * The packages a subcommand needs beyond the package itself. The AWS SDK clients and the
 * emulators are peer dependencies, optional ones for the most part, so that a Lambda
 * project gets none it does not use. `npx cognito-profile-sync` in a bare folder installs
 * the package and its required peers only: a subcommand checks for the rest before it
 * loads any of them, and says how to get them rather than failing on the first import.
 */
import { createRequire } from 'node:module';
import type { CliIo } from './io.js';

const SDK_FOR_RECONCILE = [
  '@aws-sdk/client-cognito-identity-provider',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/util-dynamodb',
] as const;

/** What each subcommand loads. @internal */
export const neededPackages = {
  reconcile: SDK_FOR_RECONCILE,
  demo: [...SDK_FOR_RECONCILE, '@aws-sdk/client-ses', 'dynalite', 'cognito-local', 'aws-ses-v2-local'],
} as const satisfies Record<string, readonly string[]>;

/**
 * The packages of `names` that cannot be found from where the package is installed. Only
 * resolved, never loaded: resolving runs none of their code, and a package that is there
 * but fails to load reports its own error when the command imports it.
 *
 * @internal
 */
export function missingPackages(names: readonly string[]): string[] {
  const require = createRequire(import.meta.url);
  return names.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      // A package that is there but will not resolve for require (an ESM-only `exports`
      // map, a missing main file) names something else, or fails with another code.
      return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
    }
  });
}

/**
 * Checks that the packages `command` needs are installed; when some are not, says which and
 * how to install them, and returns exit code 2. `args` are the command's own, repeated in
 * the `npx` line so that it can be pasted as it is.
 *
 * @internal
 */
export function checkPackages(command: keyof typeof neededPackages, args: readonly string[], io: CliIo): number | undefined {
  const missing = missingPackages(neededPackages[command]);
  if (missing.length === 0) return undefined;
  const one = missing.length === 1;
  const withPackages = missing.map((name) => `-p ${name}`).join(' ');
  io.stderr(
    `cognito-profile-sync ${command} needs ${one ? 'a package that is' : 'packages that are'} not installed: ${missing.join(', ')}\n` +
      `Install ${one ? 'it' : 'them'} in the project that has cognito-profile-sync:\n` +
      `  npm install --save-dev ${missing.join(' ')}\n` +
      `or run the command with ${one ? 'it' : 'them'}, from any folder:\n` +
      `  npx -p cognito-profile-sync ${withPackages} cognito-profile-sync ${[command, ...args].map(shellWord).join(' ')}\n`,
  );
  return 2;
}

/** A word as a POSIX shell reads it back: quoted only when it has to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
