import { setMaxListeners } from 'node:events';
import { withBackoff } from '../backoff.js';
import { COGNITO_SUB } from '../constants.js';
import { startDeadline } from '../deadline.js';
import { deleteAndErase, ErasureOutcome, ErasureReason, type ErasureTask, finishErasure } from '../erasure/once.js';
import { errorName, isErasureError } from '../errors.js';
import { scanProfileKeys, type RowKey } from '../store/profileReads.js';
import { deleteProfile, updateProfileFields } from '../store/profileStore.js';
import type { ReconcileConfig } from './options.js';
import { countUser, recordFailure, type ReconcileReport } from './report.js';
import type { SeenSubs } from './seenSubs.js';
import { isInSlice, sliceKeyRange, type SubSlice } from './slices.js';

/**
 * The table is read in this many parallel scan segments: one segment reads about one 1 MB
 * page every 100 ms, and a big pool's slices each scan the whole table.
 */
const SCAN_SEGMENTS = 8;
const WHOLE_POOL: SubSlice = { index: 0, count: 1 };

/** Whether a scanned row could be a user of this pool at all. */
function isOfPool(row: RowKey, userPoolId: string): boolean {
  // A key of another shape is the application's own row (`settings`, `admin-1`, the
  // cursor item), and a row naming another pool belongs to a table shared between pools.
  return COGNITO_SUB.test(row.sub) && (row.userPoolId === undefined || row.userPoolId === userPoolId);
}

/** Whether a scanned row could be a user of this pool the run has not seen. */
function isCandidate(row: RowKey, seen: SeenSubs, runStartedAt: string): boolean {
  if (row.deleted || seen.has(row.sub)) return false;
  return row.createdAt === undefined || row.createdAt < runStartedAt;
}

/**
 * Whether a row marked deleted has an erasure to finish: one begun (claimed or failed) and
 * not recorded, or, with `eraseUsersDeletedAfter`, none begun on a row marked after that.
 */
function isErasureDue(row: RowKey, config: ReconcileConfig): boolean {
  if (config.erasure === undefined || !row.deleted) return false;
  if (row.erasure === 'begun') return true;
  const after = config.erasure.deletedAfter;
  return row.erasure === 'none' && after !== undefined && row.deletedAt !== undefined && row.deletedAt > after;
}

/**
 * Rows whose `sub` the run never listed are orphan candidates. Rows created after the run
 * started are passed over (a trigger wrote them for a user the listing could not see), and
 * every other candidate is looked up by `sub` before it counts. Only rows keyed by a UUID,
 * as Cognito's `sub`s are, and whose `userPoolId` is this pool's (or missing) are candidates:
 * no other row is ever counted, marked or deleted. With `onUserDeleted`, rows already marked
 * deleted whose erasure is due are confirmed gone the same way and erased. Given a slice, only
 * the rows keyed in it are checked, against the `sub`s listed for that slice alone.
 */
export async function checkOrphans(
  seen: SeenSubs,
  runStartedAt: string,
  config: ReconcileConfig,
  report: ReconcileReport,
  signal: AbortSignal,
  slice: SubSlice = WHOLE_POOL,
): Promise<void> {
  const keys = sliceKeyRange(slice);
  // A segment whose scan keeps failing stops its siblings: the run rejects with nothing left running.
  const segments = new AbortController();
  setMaxListeners(0, segments.signal);
  const follow = () => segments.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  const checkSegment = async (segment: number, within: AbortSignal) => {
    for await (const rows of scanProfileKeys(config.table, within, config.backoff, { segment, totalSegments: SCAN_SEGMENTS, keys })) {
      for (const row of rows) {
        if (within.aborted) return;
        // A row of another slice is that slice's to check: each row is checked once a cycle.
        if (!isOfPool(row, config.userPoolId) || !isInSlice(row.sub, slice)) continue;
        if (isErasureDue(row, config)) await eraseIfGone(row.sub, seen, config, report, within);
        else if (isCandidate(row, seen, runStartedAt)) await resolveIfOrphan(row.sub, config, report, within);
      }
    }
  };
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: SCAN_SEGMENTS }, (_, segment) =>
      checkSegment(segment, segments.signal).catch((error: unknown) => {
        failure ??= { error };
        segments.abort(error);
      }),
    ),
  );
  signal.removeEventListener('abort', follow);
  if (failure !== undefined && !signal.aborted) throw failure.error;
  report.orphansChecked = !signal.aborted;
}

/** Looks the user up by `sub`: gone from the pool, or not. */
async function isGone(sub: string, config: ReconcileConfig, signal: AbortSignal): Promise<boolean> {
  const findUser = async (s: AbortSignal) => {
    await config.listUsersLimiter.take(s);
    return config.users.findBySub(config.userPoolId, sub, s);
  };
  return (await withBackoff(findUser, config.backoff, signal)) === undefined;
}

function erasureTask(sub: string, reason: ErasureReason, config: ReconcileConfig, signal: AbortSignal): ErasureTask {
  const { onUserDeleted, deadlineMs } = config.erasure!;
  const deadline = startDeadline(undefined, { deadlineMs, safetyMarginMs: 0 });
  return { table: config.table, onUserDeleted, sub, userPoolId: config.userPoolId, reason, deadline, signal };
}

/** Counts a user's failure; a failed erasure also as one. */
function countFailure(report: ReconcileReport, config: ReconcileConfig, sub: string, error: unknown): void {
  if (isErasureError(error)) report.erasures.failed += 1;
  recordFailure(report, config.maxIds, sub, errorName(error));
}

async function resolveIfOrphan(sub: string, config: ReconcileConfig, report: ReconcileReport, signal: AbortSignal): Promise<void> {
  const { table } = config;
  try {
    if (!(await isGone(sub, config, signal)) || signal.aborted) return;
    countUser(report, 'orphans', sub, config.maxIds);
    if (config.orphans === 'report') return;
    if (config.dryRun) {
      if (config.erasure) report.erasures.pending += 1;
      return;
    }
    const now = new Date().toISOString();
    if (config.erasure) {
      // A tombstone instead of a deletion: the record that the erasure is done must survive.
      const deletion = { deletedAt: now, now };
      const erasure = await deleteAndErase(erasureTask(sub, ErasureReason.Orphan, config, signal), deletion, {
        tombstone: config.orphans === 'delete',
        existingOnly: true,
      });
      if (erasure === ErasureOutcome.Erased) report.erasures.erased += 1;
    } else if (config.orphans === 'delete') await withBackoff((s) => deleteProfile(table, sub, s), config.backoff, signal);
    else {
      const mark = { fields: { deletedAt: now }, now, mode: 'existing' as const };
      await withBackoff((s) => updateProfileFields(table, sub, mark, s, 'markOrphan'), config.backoff, signal);
    }
    report.orphansResolved += 1;
  } catch (error) {
    if (!signal.aborted) countFailure(report, config, sub, error);
  }
}

/** Finishes the erasure of a row marked deleted, once its user is confirmed gone. */
async function eraseIfGone(sub: string, seen: SeenSubs, config: ReconcileConfig, report: ReconcileReport, signal: AbortSignal): Promise<void> {
  // Listed by this run: the user exists, and is never erased.
  if (seen.has(sub)) return;
  try {
    if (!(await isGone(sub, config, signal)) || signal.aborted) return;
    if (config.dryRun) {
      report.erasures.pending += 1;
      return;
    }
    const erasure = await finishErasure(erasureTask(sub, ErasureReason.Pending, config, signal));
    if (erasure === ErasureOutcome.Erased) report.erasures.erased += 1;
  } catch (error) {
    if (!signal.aborted) countFailure(report, config, sub, error);
  }
}
