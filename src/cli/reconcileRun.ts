/**
 * A reconcile run from the command line, once its flags are read and its packages are
 * there: checks the options and the AWS setup before anything runs, draws progress, and
 * reports the outcome or the failure with its cause.
 */
import { isConfigurationError, isReconcileError } from '../errors.js';
import { checkRunOptions, prepareReconcile, type ReconcileOptions } from '../reconcile/options.js';
import { positionsOf, SUB_PREFIXES } from '../reconcile/cursor.js';
import type { ReconcileReport } from '../reconcile/report.js';
import { runReconcile } from '../reconcile/run.js';
import { awsSetup } from './awsSetup.js';
import { explainFailure, flagProblem, reconcileFlags } from './failures.js';
import type { CliIo } from './io.js';
import { progressLine, type ProgressStart } from './progress.js';
import { reportTable } from './reconcileOutput.js';

/** The run as the flags describe it, before region and credentials are added. @internal */
export type CommandSettings = Omit<ReconcileOptions, 'table' | 'cognitoClient' | 'cognitoClientConfig' | 'signal' | 'onProgress'> & {
  table: { name: string; partitionKey?: string };
};

/** @internal */
export interface ReconcileCommandInput {
  settings: CommandSettings;
  region: string | undefined;
  profile: string | undefined;
  json: boolean;
}

const PREFIX = 'cognito-profile-sync reconcile';

/** Runs reconcile for the command line; returns the process exit code. @internal */
export async function runReconcileCommand(input: ReconcileCommandInput, io: CliIo): Promise<number> {
  // Every SDK version of the peer range reads AWS_PROFILE (a client's own `profile` option
  // came later), for region, credentials and the rest of the profile alike.
  const previousProfile = process.env.AWS_PROFILE;
  if (input.profile !== undefined) process.env.AWS_PROFILE = input.profile;
  const setup = await awsSetup({ region: input.region, profile: input.profile, userPoolId: input.settings.userPoolId });
  try {
    return await run(input, setup, io);
  } finally {
    setup.close();
    if (input.profile !== undefined) {
      if (previousProfile === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = previousProfile;
    }
  }
}

async function run(input: ReconcileCommandInput, setup: Awaited<ReturnType<typeof awsSetup>>, io: CliIo): Promise<number> {
  const { settings } = input;
  const { cursor, stopAfterMs, ...rest } = settings;
  let config: ReturnType<typeof prepareReconcile>;
  let startPositions: ReturnType<typeof positionsOf>;
  try {
    config = prepareReconcile({
      ...rest,
      table: { ...settings.table, clientConfig: setup.clientConfig },
      cognitoClientConfig: setup.clientConfig,
    });
    checkRunOptions({ ...(cursor !== undefined && { cursor }) });
    startPositions = positionsOf(cursor, config.partitionBySub);
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    io.stderr(`${PREFIX}: ${flagProblem(error, reconcileFlags)}\n`);
    return 2;
  }
  const problem = await setup.check();
  if (problem !== undefined) {
    io.stderr(`${PREFIX}: ${problem}\n`);
    return 2;
  }

  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  const drawProgress = io.stderrIsTerminal === true;
  const start: ProgressStart = {
    total: drawProgress ? await setup.estimatedUsers(settings.userPoolId) : undefined,
    startedAt: Date.now(),
    ...(cursor !== undefined && { resumed: { partitions: startPositions.has('') ? 1 : SUB_PREFIXES.length, left: startPositions.size } }),
  };
  const draw = (progress: ReconcileReport) => {
    const partitionsLeft = progress.cursor === undefined ? 0 : positionsOf(progress.cursor, config.partitionBySub).size;
    const line = progressLine({ ...progress, partitionsLeft }, start, Date.now());
    // Redrawn in place: clear what a longer line left, and never wrap (a wrapped line cannot be redrawn).
    io.stderr(`\r${io.stderrColumns ? line.slice(0, io.stderrColumns - 1) : line}\x1b[K`);
  };
  let report: ReconcileReport;
  try {
    report = await runReconcile(config, {
      signal: controller.signal,
      ...(cursor !== undefined && { cursor }),
      ...(stopAfterMs !== undefined && { stopAfterMs }),
      ...(drawProgress && { onProgress: draw }),
    });
  } catch (error) {
    if (drawProgress) io.stderr('\n');
    if (isConfigurationError(error)) {
      io.stderr(`${PREFIX}: ${flagProblem(error, reconcileFlags)}\n`);
      return 2;
    }
    const partial = isReconcileError(error) ? error.report : undefined;
    if (partial && !nothingRan(partial)) print(partial, input.json, io);
    const target = { userPoolId: settings.userPoolId, table: settings.table.name, region: setup.region, orphans: settings.orphans };
    const { cause, nextStep } = explainFailure(error, target);
    io.stderr(`${PREFIX} failed: ${cause}\n${nextStep ? `${nextStep}\n` : ''}`);
    if (partial?.cursor && !nothingRan(partial)) io.stderr(`Continue with --cursor ${partial.cursor}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
  if (drawProgress) io.stderr('\n');
  print(report, input.json, io);
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

/** A run that failed before it read a page or wrote a row has no report worth a table. */
function nothingRan(report: ReconcileReport): boolean {
  return report.scanned + report.created + report.updated + report.orphansResolved + report.welcomes.sent + report.errors === 0;
}

function print(report: ReconcileReport, json: boolean, io: CliIo): void {
  io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report));
}
