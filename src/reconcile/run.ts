import { setMaxListeners } from 'node:events';
import { withBackoff } from '../backoff.js';
import type { CognitoUser } from '../cognitoUsers.js';
import { ConfigurationError, errorName, ReconcileError } from '../errors.js';
import { getProfiles } from '../store/profileReads.js';
import { checkRunOptions, prepareReconcile, type ReconcileConfig, type ReconcileOptions, type ReconcileRunOptions } from './options.js';
import { cursorOf, positionsOf, type Positions } from './cursor.js';
import { checkOrphans } from './orphans.js';
import { emptyReport, recordFailure, type ReconcileReport } from './report.js';
import { SeenSubs } from './seenSubs.js';
import { sliceStreams, type SubSlice } from './slices.js';
import { reconcileUser } from './user.js';

/**
 * Brings the profile table in step with the pool: pages through `ListUsers` in 16
 * partitions by `sub` prefix under one shared rate (`listUsersPerSecond`), reads each
 * page's rows with one consistent batch read, creates missing rows with the trigger's
 * conditional create (a row a trigger writes meanwhile is never overwritten), repairs
 * drifted Cognito-owned fields with an update that never brings back a deleted row, sends
 * welcomes left pending, and reports rows whose user is gone. A failure on one user is
 * counted and the run goes on; throttling is waited out.
 *
 * @example
 * ```ts
 * const report = await reconcile({ userPoolId: 'eu-west-1_AbC123', table: 'profiles', dryRun: true });
 * console.log(report.created, 'rows missing');
 * ```
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  return runReconcile(prepareReconcile(options), options);
}

/**
 * One run with prepared options. Given a slice (the scheduled handler's big-pool check), it
 * lists that slice alone, from its start (no cursor in or out), and checks the slice's rows
 * for orphans.
 *
 * @internal
 */
export async function runReconcile(config: ReconcileConfig, options: ReconcileRunOptions, slice?: SubSlice): Promise<ReconcileReport> {
  checkRunOptions(options);
  if (slice !== undefined && options.cursor !== undefined) throw new ConfigurationError('cursor', 'cannot resume a slice: a slice is redone');
  const positions: Positions = slice === undefined ? positionsOf(options.cursor, config.partitionBySub) : new Map(sliceStreams(slice).map((prefix) => [prefix, null]));
  const startedAt = Date.now();
  const report = emptyReport(config.dryRun);
  // The run's own signal, following the caller's: many calls of a page listen on it at once,
  // more than Node's default warning allows, and the caller's signal is not ours to change.
  const controller = new AbortController();
  const { signal } = controller;
  setMaxListeners(0, signal);
  const follow = () => controller.abort(options.signal?.reason);
  // Only a caller's signal ever aborts the run: without one, its calls go without a signal,
  // which spares the SDK its abort listeners on every write.
  const abortCalls = options.signal !== undefined;
  if (options.signal?.aborted) follow();
  else options.signal?.addEventListener('abort', follow, { once: true });
  const seen = options.cursor === undefined ? new SeenSubs() : undefined;
  const finish = () => {
    options.signal?.removeEventListener('abort', follow);
    report.complete = positions.size === 0;
    report.interrupted = signal.aborted;
    // A fresh run that did nothing needs no cursor: starting over is the same, and may check
    // orphans. A slice has none: one cut short is redone.
    const cursor = slice !== undefined || (options.cursor === undefined && report.scanned === 0) ? undefined : cursorOf(positions);
    if (cursor === undefined) delete report.cursor;
    else report.cursor = cursor;
    report.durationMs = Date.now() - startedAt;
    return report;
  };

  // A failed partition, or the time running out, stops every partition at its next page
  // boundary; the pages under way are finished first, so the cursor never skips a user.
  let failure: { error: unknown } | undefined;
  let timeIsUp = false;
  const halted = () => {
    if (options.stopAfterMs !== undefined && Date.now() - startedAt >= options.stopAfterMs) timeIsUp = true;
    return failure !== undefined || timeIsUp || signal.aborted;
  };
  const inSlot = workSlots(config.concurrency);
  const fetchPage = (prefix: string, from: string | null) => {
    const listedAt = new Date().toISOString();
    const list = async (s: AbortSignal) => {
      await config.listUsersLimiter.take(s);
      return config.users.listPage(config.userPoolId, from ?? undefined, s, prefix === '' ? undefined : prefix);
    };
    return withBackoff(list, config.backoff, signal).then((page) => ({ ...page, listedAt }));
  };

  const readPartition = async (prefix: string) => {
    let page = fetchPage(prefix, positions.get(prefix) ?? null);
    for (;;) {
      const { users, next, listedAt } = await page;
      if (next !== undefined) {
        // The next page is fetched while this one is worked on; ListUsers is the slow part.
        page = fetchPage(prefix, next);
        page.catch(() => undefined); // an early stop leaves it unread
      }
      await reconcilePage(users, listedAt, config, report, seen, inSlot, signal, abortCalls);
      if (signal.aborted) return;
      report.scanned += users.length;
      if (next === undefined) positions.delete(prefix);
      else positions.set(prefix, next);
      if (options.onProgress !== undefined) {
        const cursor = slice === undefined ? cursorOf(positions) : undefined;
        options.onProgress(structuredClone({ ...report, complete: positions.size === 0, cursor, durationMs: Date.now() - startedAt }));
      }
      if (next === undefined || halted()) return;
    }
  };

  await Promise.all(
    [...positions.keys()].map((prefix) =>
      readPartition(prefix).catch((error: unknown) => {
        failure ??= { error };
      }),
    ),
  );
  try {
    if (failure !== undefined && !signal.aborted) throw failure.error;
    if (positions.size === 0 && seen !== undefined && !signal.aborted) {
      await checkOrphans(seen, new Date(startedAt).toISOString(), config, report, signal, slice);
    }
  } catch (error) {
    if (!signal.aborted) throw new ReconcileError(finish(), error);
  }
  return finish();
}

async function reconcilePage(
  users: readonly CognitoUser[],
  listedAt: string,
  config: ReconcileConfig,
  report: ReconcileReport,
  seen: SeenSubs | undefined,
  inSlot: WorkSlots,
  signal: AbortSignal,
  abortCalls: boolean,
): Promise<void> {
  const listed: CognitoUser[] = [];
  for (const user of users) {
    if (user.sub === undefined) {
      recordFailure(report, config.maxIds, undefined, 'MissingSub');
      continue;
    }
    seen?.add(user.sub);
    if (user.status !== undefined && config.skipStatuses.has(user.status)) report.skipped += 1;
    else listed.push(user);
  }
  const rows = await getProfiles(config.table, listed.map((user) => user.sub!), signal, config.backoff);
  await Promise.all(
    listed.map((user) =>
      inSlot(async () => {
        try {
          await reconcileUser(user, rows.get(user.sub!), listedAt, config, report, signal, abortCalls);
        } catch (error) {
          if (!signal.aborted) recordFailure(report, config.maxIds, user.sub, errorName(error));
        }
      }),
    ),
  );
}

/**
 * At most `limit` tasks at once across every caller holding it: the partitions of a run
 * share one, so that reading pages in parallel never multiplies the writes in flight.
 */
function workSlots(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function inSlot(task: () => Promise<void>): Promise<void> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` counts it still.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** @internal */
export type WorkSlots = ReturnType<typeof workSlots>;

