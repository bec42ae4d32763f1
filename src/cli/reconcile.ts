/**
 * `cognito-profile-sync reconcile`: the reconcile function for operators, with the standard
 * AWS credential chain and `AWS_ENDPOINT_URL_*` variables.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './io.js';
import { progressLine, reportTable } from './reconcileOutput.js';
import type { ReconcileOptions } from '../reconcile/options.js';
import type { ReconcileReport } from '../reconcile/report.js';

export const reconcileUsage = `Usage: cognito-profile-sync reconcile --user-pool-id ID --table NAME [options]

Brings the profile table in step with the user pool: creates missing rows, repairs
drifted Cognito-owned fields, reports rows whose user is gone. Uses the default
attribute mapping; for a custom mapper call reconcile() from code. Sends no welcome
(reconcile() with onWelcome does): counts those due, and names those whose outcome
is unknown (a claim ran out with no sent marker: the mail may have gone out).

Options:
  --user-pool-id ID      the user pool (required)
  --table NAME           the profile table's name or ARN (required)
  --partition-key NAME   the table's partition key attribute (default: userId)
  --region REGION        AWS region (default: from AWS_REGION or your AWS config)
  --dry-run              report what would change, write nothing
  --json                 print the report as JSON on stdout
  --concurrency N        users worked on at once, 1-100 (default: 10)
  --orphans ACTION       rows whose user is gone: report, mark (set deletedAt) or
                         delete (default: report)
  --cursor TOKEN         continue a run that stopped, from its report's cursor
  --list-users-per-second N
                         ListUsers calls a second for the run (default: 25; Cognito
                         allows 30 per account and region, shared by every caller)
  -h, --help             show this help

Credentials come from the standard AWS chain (environment, profile, SSO, role).
AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER point the
clients elsewhere, such as local emulators. Needs cognito-idp:ListUsers on the pool
and dynamodb:BatchGetItem, PutItem, UpdateItem, Scan (and DeleteItem with
--orphans delete) on the table.

A progress line is drawn on stderr when it is a terminal. Ctrl-C stops at once and
prints the cursor to continue from.

Exit code: 0 every user in step, 1 a user or the run failed, 2 bad usage, 130 after
Ctrl-C.
`;

const options = {
  'user-pool-id': { type: 'string' },
  table: { type: 'string' },
  'partition-key': { type: 'string' },
  region: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
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

function toSettings(values: Parsed): Omit<ReconcileOptions, 'cognitoClient'> {
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
  const region = values.region;
  return {
    userPoolId: poolId,
    table: {
      name: table,
      ...(values['partition-key'] && { partitionKey: values['partition-key'] }),
      ...(region && { clientConfig: { region } }),
    },
    ...(region && { cognitoClientConfig: { region } }),
    dryRun: values['dry-run'] ?? false,
    ...(concurrency !== undefined && { concurrency }),
    ...(orphans !== undefined && { orphans }),
    ...(values.cursor !== undefined && { cursor: values.cursor }),
    ...(listUsersPerSecond !== undefined && { listUsersPerSecond }),
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

  const { reconcile, isConfigurationError, isReconcileError } = await import('../index.js');
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  const drawProgress = io.stderrIsTerminal === true;
  const total = drawProgress ? await estimatedUsers(settings) : undefined;
  let report: ReconcileReport;
  try {
    report = await reconcile({
      ...settings,
      signal: controller.signal,
      ...(drawProgress && { onProgress: (progress: ReconcileReport) => io.stderr(`\r${progressLine(progress, total)}`) }),
    } as ReconcileOptions);
  } catch (error) {
    if (drawProgress) io.stderr('\n');
    if (isConfigurationError(error)) {
      io.stderr(`cognito-profile-sync reconcile: ${error.message}\n`);
      return 2;
    }
    const partial = isReconcileError(error) ? error.report : undefined;
    if (partial) print(partial, values, io);
    io.stderr(`cognito-profile-sync reconcile failed: ${describe(error)}\n`);
    if (partial?.cursor) io.stderr(`Continue with --cursor ${partial.cursor}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
  if (drawProgress) io.stderr('\n');
  print(report, values, io);
  if (report.interrupted) {
    io.stderr(`Interrupted${report.cursor ? `; continue with --cursor ${report.cursor}` : ''}\n`);
    return 130;
  }
  if (!report.complete) {
    io.stderr(`Stopped before the end${report.cursor ? `; continue with --cursor ${report.cursor}` : '; run again to start over'}\n`);
    return 1;
  }
  return report.errors > 0 ? 1 : 0;
}

function print(report: ReconcileReport, values: Parsed, io: CliIo): void {
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report));
}

/** The error and its cause, by name and message: an operator's own terminal, not a log. */
function describe(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: unknown };
  const causeText = cause instanceof Error ? ` (${cause.name}: ${cause.message})` : '';
  return `${message ?? String(error)}${causeText}`;
}

/** Cognito's estimate of the pool's size, for the progress bar; nothing when it cannot say. */
async function estimatedUsers(settings: Pick<ReconcileOptions, 'userPoolId' | 'cognitoClientConfig'>): Promise<number | undefined> {
  try {
    const sdk = await import('@aws-sdk/client-cognito-identity-provider');
    const config = settings.cognitoClientConfig as import('@aws-sdk/client-cognito-identity-provider').CognitoIdentityProviderClientConfig | undefined;
    const client = new sdk.CognitoIdentityProviderClient({ maxAttempts: 1, ...config });
    try {
      const { UserPool } = await client.send(new sdk.DescribeUserPoolCommand({ UserPoolId: settings.userPoolId }), {
        abortSignal: AbortSignal.timeout(3000),
      });
      const estimate = UserPool?.EstimatedNumberOfUsers;
      return typeof estimate === 'number' && estimate > 0 ? estimate : undefined;
    } finally {
      client.destroy();
    }
  } catch {
    return undefined; // no DescribeUserPool permission, say: the line shows counts only
  }
}
