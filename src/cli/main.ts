/**
 * The `cognito-profile-sync` command line. Each subcommand lives in its own module and is
 * imported only when chosen (the bin is built split), so `--help` loads no AWS SDK client
 * and `reconcile` none of the demo's emulators.
 */
import { createRequire } from 'node:module';

import type { CliIo } from './io.js';

const usage = `Usage: cognito-profile-sync <command> [options]

Commands:
  demo        run the library's story on an embedded local stack (no AWS account)
  reconcile   backfill and check the profile table against a user pool's ListUsers

Options:
  -h, --help     show this help, or a command's help with <command> --help
  -v, --version  show the version

Exit code: 0 success, 1 a command failed, 2 bad usage or setup (an option, a missing
package, no AWS region or credentials: nothing ran), 130 interrupted.
`;

const commands: Record<string, () => Promise<(args: readonly string[], io: CliIo) => Promise<number>>> = {
  demo: async () => (await import('./demo.js')).demoCommand,
  reconcile: async () => (await import('./reconcile.js')).reconcileCommand,
};

/** Runs the command line; returns the process exit code. @internal */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (load === undefined) {
    io.stderr(`cognito-profile-sync: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  return (await load())(rest, io);
}

function version(): string {
  // dist/cli/index.js -> ../../package.json; read at run time so the bundle never goes stale.
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}
