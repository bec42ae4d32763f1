import type { Context } from 'aws-lambda';
import { ConfigurationError, errorName, isReconcileError } from './errors.js';
import { resolveLogger, safeLog } from './log.js';
import { getControlItem, putControlItem } from './profileStore.js';
import { prepareReconcile, runReconcile, type ReconcileReport, type ReconcileSettings } from './reconcile.js';
import type { Logger } from './types.js';

/** Options of {@link createReconcileHandler}. */
export type ReconcileHandlerOptions = ReconcileSettings & {
  /**
   * Time kept back from the Lambda's remaining time: the run stops at a page boundary once
   * less than this is left, and saves its cursor. Must exceed the time one page takes.
   * @default 60000
   */
  reserveMs?: number;
  /** @default JSON lines on the console */
  logger?: Logger;
};

/**
 * The control item's key: under the table's partition key, a value no `sub` can take.
 * Reconcile's orphan check passes over `#`-keys.
 */
export const RECONCILE_CURSOR_KEY = '#reconcile-cursor';

const LOG_MESSAGE = 'cognito-profile-sync Reconcile';

/**
 * Reconcile as a Lambda for an EventBridge Scheduler rule. Each invocation works within the
 * Lambda's remaining time, saves its cursor on a control item in the profile table when time
 * runs short (or a call keeps failing), and the next invocation continues from there. Logs
 * the report's counts and `sub`s, never names or addresses.
 *
 * A pool too big for one invocation is never checked for orphans (that needs one pass over
 * the whole pool); run the CLI for that, or give the function more time.
 *
 * @example
 * ```ts
 * export const handler = createReconcileHandler({
 *   userPoolId: process.env.USER_POOL_ID!,
 *   table: process.env.DDB_TABLE!,
 * });
 * ```
 */
export function createReconcileHandler(
  options: ReconcileHandlerOptions,
): (event: unknown, context?: Context) => Promise<ReconcileReport> {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object');
  const reserveMs = options.reserveMs ?? 60_000;
  if (typeof reserveMs !== 'number' || !Number.isFinite(reserveMs) || reserveMs < 0) {
    throw new ConfigurationError('reserveMs', 'must be a non-negative number of milliseconds');
  }
  // Checked here so that a wrong option fails at cold start, not at the first schedule.
  const config = prepareReconcile(options);
  const { table } = config;
  const logger = resolveLogger(options.logger);

  return async function runScheduledReconcile(_event, context) {
    const noAbort = new AbortController().signal; // control-item calls: the client's timeouts bound them
    const control = await getControlItem(table, RECONCILE_CURSOR_KEY, noAbort);
    const cursor = typeof control?.cursor === 'string' ? control.cursor : undefined;
    const remaining = context?.getRemainingTimeInMillis?.();
    const stopAfterMs = remaining === undefined ? undefined : Math.max(0, remaining - reserveMs);

    let report: ReconcileReport;
    try {
      report = await runReconcile(config, { cursor, stopAfterMs });
    } catch (error) {
      if (isReconcileError(error)) await saveCursor(error.report, noAbort);
      safeLog(logger, 'error', { message: LOG_MESSAGE, resumedFrom: cursor !== undefined, error: errorName(error), ...(isReconcileError(error) && summary(error.report)) });
      throw error;
    }
    await saveCursor(report, noAbort);
    safeLog(logger, report.errors > 0 ? 'warn' : 'info', { message: LOG_MESSAGE, resumedFrom: cursor !== undefined, ...summary(report) });
    return report;
  };

  async function saveCursor(report: ReconcileReport, signal: AbortSignal): Promise<void> {
    const now = new Date().toISOString();
    // A run that stopped on its first page has no cursor: the next one starts over.
    if (report.complete) await putControlItem(table, RECONCILE_CURSOR_KEY, { completedAt: now }, signal);
    else if (report.cursor !== undefined) await putControlItem(table, RECONCILE_CURSOR_KEY, { cursor: report.cursor, savedAt: now }, signal);
  }
}

function summary(report: ReconcileReport) {
  const { ids, ...counts } = report;
  return { ...counts, cursor: report.cursor === undefined ? undefined : 'saved', ids };
}
