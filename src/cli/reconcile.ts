/**
 * `cognito-profile-sync reconcile`: the reconcile function for operators, with the standard
 * AWS credential chain and `AWS_ENDPOINT_URL_*` variables.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './io.js';
import { checkPackages } from './peers.js';
import type { CommandSettings } from './reconcileRun.js';

export const reconcileUsage = `Usage: cognito-profile-sync reconcile --user-pool-id ID --table NAME [options]

Brings the profile table in step with the user pool: creates missing rows, repairs
drifted Cognito-owned fields, reports rows whose user is gone. Uses the default
attribute mapping; for a custom mapper call reconcile() from code.

Options:
  --user-pool-id ID      the user pool (required)
  --table NAME           the profile table's name or ARN (required)
  --partition-key NAME   the table's partition key attribute (default: userId)
  --region REGION        AWS region (default: from AWS_REGION or your AWS config)
  --profile NAME         a named profile of your AWS config and credentials files
                         (default: AWS_PROFILE, else the default chain)
  --dry-run              report what would change, write nothing
  --json                 print the report as JSON on stdout
  --max-ids N            sub ids the report lists for each kind (default: 100)
  --concurrency N        users worked on at once, 1-100 (default: 10)
  --orphans ACTION       rows whose user is gone: report, mark (set deletedAt) or
                         delete (default: report)
  --cursor TOKEN         continue a run that stopped, from its report's cursor
  --list-users-per-second N
                         ListUsers calls a second for the run (default: 25; Cognito
                         allows 30 per account and region, shared by every caller)
  -h, --help             show this help

Needs @aws-sdk/client-cognito-identity-provider next to the package (it says how to
get it when it is missing). Credentials come from the standard AWS chain
(environment, profile, SSO, role). AWS_ENDPOINT_URL_DYNAMODB and
AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER point the clients elsewhere, such as local
emulators. Needs cognito-idp:ListUsers on the pool (and DescribeUserPool for the
progress bar's estimate) and dynamodb:BatchGetItem, PutItem, UpdateItem, Scan (and
DeleteItem with --orphans delete) on the table.

A progress line (rate, ETA) is drawn on stderr when it is a terminal. Ctrl-C stops at
once and prints the cursor to continue from.

Exit code: 0 the run covered the pool and no user failed (drift a --dry-run finds,
and orphans, still exit 0: read the report), 1 a user or the run failed, or it
stopped before the end, 2 bad usage or setup (an option, a missing package, no
region or credentials: nothing ran), 130 after Ctrl-C.
`;

const options = {
  'user-pool-id': { type: 'string' },
  table: { type: 'string' },
  'partition-key': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  'max-ids': { type: 'string' },
  concurrency: { type: 'string' },
  orphans: { type: 'string' },
  cursor: { type: 'string' },
  'list-users-per-second': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

type Parsed = ReturnType<typeof parseArgs<{ options: typeof options; strict: true; allowPositionals: false }>>['values'];

function readArgs(args: readonly string[]): Parsed {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function toSettings(values: Parsed): CommandSettings {
  const poolId = values['user-pool-id'];
  const table = values.table;
  if (!poolId) throw new UsageError('--user-pool-id is required');
  if (!table) throw new UsageError('--table is required');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100)) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 100, not "${values.concurrency}"`);
  }
  const orphans = values.orphans;
  if (orphans !== undefined && orphans !== 'report' && orphans !== 'mark' && orphans !== 'delete') {
    throw new UsageError(`--orphans must be report, mark or delete, not "${orphans}"`);
  }
  const rateText = values['list-users-per-second'];
  const listUsersPerSecond = rateText === undefined ? undefined : Number(rateText);
  if (listUsersPerSecond !== undefined && !(listUsersPerSecond > 0)) {
    throw new UsageError(`--list-users-per-second must be a number above 0, not "${rateText}"`);
  }
  const maxIdsText = values['max-ids'];
  const maxIds = maxIdsText === undefined ? undefined : Number(maxIdsText);
  if (maxIds !== undefined && !(Number.isInteger(maxIds) && maxIds >= 0)) {
    throw new UsageError(`--max-ids must be a whole number, 0 or more, not "${maxIdsText}"`);
  }
  return {
    userPoolId: poolId,
    // Region and credentials are added by the run, once for every client (--region, --profile).
    table: {
      name: table,
      ...(values['partition-key'] && { partitionKey: values['partition-key'] }),
    },
    dryRun: values['dry-run'] ?? false,
    ...(concurrency !== undefined && { concurrency }),
    ...(orphans !== undefined && { orphans }),
    ...(values.cursor !== undefined && { cursor: values.cursor }),
    ...(listUsersPerSecond !== undefined && { listUsersPerSecond }),
    ...(maxIds !== undefined && { maxIds }),
  };
}

/** Runs the reconcile subcommand; returns the process exit code. @internal */
export async function reconcileCommand(args: readonly string[], io: CliIo): Promise<number> {
  let values: Parsed;
  let settings: ReturnType<typeof toSettings>;
  try {
    values = readArgs(args);
    if (values.help) {
      io.stdout(reconcileUsage);
      return 0;
    }
    settings = toSettings(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`cognito-profile-sync reconcile: ${error.message}\n\nRun "cognito-profile-sync reconcile --help" for the options.\n`);
    return 2;
  }
  // Checked before the run's code is loaded: that code imports the SDK clients.
  const missing = checkPackages('reconcile', args, io);
  if (missing !== undefined) return missing;
  const { runReconcileCommand } = await import('./reconcileRun.js');
  return runReconcileCommand({ settings, region: values.region, profile: values.profile, json: values.json ?? false }, io);
}
