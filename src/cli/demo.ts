/**
 * `cognito-profile-sync demo`: runs the story of the library on an embedded local stack
 * (needs the optional peer dependencies dynalite, cognito-local and aws-ses-v2-local).
 * Exit code 0 when every promise held, 1 when one did not, 2 for bad usage or a missing package.
 */
import type { CliIo } from './io.js';
import { checkPackages } from './peers.js';

export const demoUsage = `Usage: cognito-profile-sync demo

Runs the whole story against an embedded local stack on 127.0.0.1 (DynamoDB via dynalite,
Cognito via cognito-local, SES via aws-ses-v2-local), with no AWS account:
sign-ups and confirmations, profile rows and welcome mails, a password reset that writes
nothing, a retried delivery that sends nothing twice, sign-in sync, admin edits.

Needs the AWS SDK clients and the emulators next to the package (it says which, and how
to get them, when some are missing).

Exit code: 0 when every promise held, 1 when one did not, 2 for bad usage or a missing
package.
`;

/** Runs the demo subcommand; returns the process exit code. @internal */
export async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(demoUsage);
    return 0;
  }
  if (args.length > 0) {
    io.stderr(`cognito-profile-sync demo: unexpected argument "${args[0]}"\n\n${demoUsage}`);
    return 2;
  }
  // Checked before the demo's code is loaded: that code imports the emulators and clients.
  const missing = checkPackages('demo', args, io);
  if (missing !== undefined) return missing;
  // The SDK's notice about future Node versions is noise in a demo's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { runDemo } = await import('../demo/index.js');
  try {
    const result = await runDemo(io.stdout);
    return result.ok ? 0 : 1;
  } catch (error) {
    io.stderr(`cognito-profile-sync demo could not run: ${(error as Error).message}\n`);
    return 1;
  }
}
