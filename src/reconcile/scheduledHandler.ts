import type { Context } from 'aws-lambda';
import { ConfigurationError, errorName, isCognitoReadError, isReconcileError } from '../errors.js';
import { resolveLogger, safeLog } from '../log.js';
import { checkOptionsObject } from '../options.js';
import { getControlItem, putControlItem } from '../store/controlItem.js';
import type { Logger } from '../types.js';
import { prepareReconcile, type ReconcileSettings } from './options.js';
import type { ReconcileReport } from './report.js';
import { runReconcile } from './run.js';
import { runSlices, savedSlice, type SliceFields } from './sliceCycle.js';
import { checkOrphanSlices, type SubSlice } from './slices.js';

/** Options of {@link createReconcileHandler}. */
export type ReconcileHandlerOptions = ReconcileSettings & {
  /**
   * Time kept back from the Lambda's remaining time: the run stops at a page boundary once
   * less than this is left, and saves where it stands (the slice to redo, or its cursor).
   * Must exceed the time one page takes; the function's timeout must exceed it by more than
   * a slice takes.
   * @default 60000
   */
  reserveMs?: number;
  /** @default JSON lines on the console */
  logger?: Logger;
  /**
   * How many slices a cycle of the scheduled check starts with: a power of two from 1 to 256.
   * The pool is listed and checked for orphans slice by slice (a slice: the users whose `sub`
   * starts with one of a run of the 256 two-hex-digit prefixes), each slice within one
   * invocation; the next slice's index is saved on the control item. A slice that does not
   * fit one invocation is split in two, and the count is kept for later cycles, so the
   * default finds the count a pool needs by itself (one cut-short invocation per doubling,
   * once). Set it to skip those for a pool you know is big: at the default rate about
   * 1.2 million users fit one invocation. Needs `partitionBySub` (the default).
   * @default 1
   * @example
   * ```ts
   * // 10 million users: 32 slices of about 310,000, three an invocation.
   * createReconcileHandler({ userPoolId, table, orphanSlices: 32 });
   * ```
   */
  orphanSlices?: number;
};

/**
 * The control item's key: under the table's partition key, a value no `sub` can take.
 * Reconcile's orphan check passes over it, as over every key that is not a UUID.
 */
export const RECONCILE_CURSOR_KEY = '#reconcile-cursor';

const LOG_MESSAGE = 'cognito-profile-sync Reconcile';

/**
 * Reconcile as a Lambda for an EventBridge Scheduler rule. Each invocation works within the
 * Lambda's remaining time through slices of the pool (`orphanSlices`), checking each for
 * orphans, and saves the next slice on a control item in the profile table; a slice it does
 * not finish is redone by the next invocation. So a pool too big for one invocation is
 * checked too, over several. With `partitionBySub: false` it saves a `ListUsers` cursor
 * instead, page by page. Logs the report's counts and `sub`s, never names or addresses.
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
  checkOptionsObject(options);
  const reserveMs = options.reserveMs ?? 60_000;
  if (typeof reserveMs !== 'number' || !Number.isFinite(reserveMs) || reserveMs < 0) {
    throw new ConfigurationError('reserveMs', 'must be a non-negative number of milliseconds');
  }
  const orphanSlices = checkOrphanSlices(options.orphanSlices);
  // Checked here so that a wrong option fails at cold start, not at the first schedule.
  const config = prepareReconcile(options);
  const { table } = config;
  const logger = resolveLogger(options.logger);
  // The control item's calls are bounded by the client's request timeouts, not aborted.
  const noAbort = new AbortController().signal;

  return async function runScheduledReconcile(_event, context) {
    const control = await getControlItem(table, RECONCILE_CURSOR_KEY, noAbort);
    // A cursor is a ListUsers token of one pool; one saved for another pool is not used.
    const cursor = typeof control?.cursor === 'string' && control.userPoolId === config.userPoolId ? control.cursor : undefined;
    const remaining = context?.getRemainingTimeInMillis?.();
    const stopAfterMs = remaining === undefined ? undefined : Math.max(0, remaining - reserveMs);
    // Past the reserve, with a margin, even the page under way (or the orphan check) stops.
    const signal = remaining === undefined ? undefined : AbortSignal.timeout(Math.max(1, remaining - Math.min(reserveMs, 10_000) / 2));
    // A cursor saved by a whole-pool pass (an earlier version, or `partitionBySub: false`)
    // is finished first; then the pool is checked slice by slice.
    if (config.partitionBySub && cursor === undefined) {
      const completedAt = typeof control?.completedAt === 'string' && control.userPoolId === config.userPoolId ? control.completedAt : undefined;
      return runScheduledSlices(savedSlice(control, config.userPoolId, orphanSlices), completedAt, context, signal);
    }
    // Each finished page moves the cursor on at once, so a run Lambda stops loses one page.
    let saving = Promise.resolve();
    const onProgress = (progress: ReconcileReport) => {
      if (progress.cursor !== undefined) saving = saving.catch(() => undefined).then(() => save({ cursor: progress.cursor }));
    };

    let report: ReconcileReport;
    try {
      report = await runReconcile(config, { cursor, stopAfterMs, onProgress, ...(signal && { signal }) });
    } catch (error) {
      await saving.catch(() => undefined);
      const partial = isReconcileError(error) ? error.report : undefined;
      safeLog(logger, 'error', { message: LOG_MESSAGE, resumedFrom: cursor !== undefined, error: errorName(error), ...(partial && summary(partial)) });
      // A cursor Cognito refuses is dropped, so the next run starts over instead of failing
      // forever; any other failure (throttling, a timeout) keeps it for the next run.
      if (cursorRefused(error, cursor)) await save({}).catch(() => undefined);
      else if (partial?.cursor !== undefined) await save({ cursor: partial.cursor }).catch(() => undefined);
      throw error;
    }
    await saving.catch(() => undefined);
    safeLog(logger, report.errors > 0 ? 'warn' : 'info', { message: LOG_MESSAGE, resumedFrom: cursor !== undefined, ...summary(report) });
    if (report.complete) await save({ completedAt: new Date().toISOString() });
    else if (report.cursor !== undefined) await save({ cursor: report.cursor });
    // A run stopped on its first page keeps the control item as it was: it starts there again.
    return report;
  };

  async function runScheduledSlices(start: SubSlice, completedAt: string | undefined, context: Context | undefined, signal: AbortSignal | undefined) {
    const remainingMs = context?.getRemainingTimeInMillis === undefined ? undefined : () => context.getRemainingTimeInMillis();
    // The last finished cycle's time stays on the control item until the next cycle ends.
    const saveSlice = (fields: SliceFields) => save({ completedAt, ...fields });
    try {
      const report = await runSlices({ config, start, remainingMs, reserveMs, signal, save: saveSlice });
      safeLog(logger, report.errors > 0 ? 'warn' : 'info', { message: LOG_MESSAGE, resumedFrom: start.index > 0, ...summary(report) });
      return report;
    } catch (error) {
      const partial = isReconcileError(error) ? error.report : undefined;
      safeLog(logger, 'error', { message: LOG_MESSAGE, resumedFrom: start.index > 0, error: errorName(error), ...(partial && summary(partial)) });
      throw error;
    }
  }

  function save(fields: { cursor?: string; completedAt?: string; orphanSlice?: number; orphanSlices?: number }): Promise<void> {
    return putControlItem(table, RECONCILE_CURSOR_KEY, { ...fields, userPoolId: config.userPoolId, savedAt: new Date().toISOString() }, noAbort);
  }
}

/**
 * Whether the run failed because Cognito refused the pagination token it resumed from:
 * `ListUsers` answered `InvalidParameterException` (what it answers for a token it does not
 * accept) on that very page, before the run moved past it.
 */
function cursorRefused(error: unknown, cursor: string | undefined): boolean {
  if (cursor === undefined || !isReconcileError(error) || error.report.cursor !== cursor) return false;
  const read = error.cause;
  return isCognitoReadError(read) && read.operation === 'ListUsers' && errorName(read.cause) === 'InvalidParameterException';
}

function summary(report: ReconcileReport) {
  const { ids, cursor, ...counts } = report;
  return { ...counts, cursorSaved: cursor !== undefined, ids };
}
