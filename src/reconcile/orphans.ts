import { withBackoff } from '../backoff.js';
import { COGNITO_SUB } from '../constants.js';
import { errorName } from '../errors.js';
import { scanProfileKeys, type RowKey } from '../store/profileReads.js';
import { deleteProfile, updateProfileFields } from '../store/profileStore.js';
import type { ReconcileConfig } from './options.js';
import { countUser, recordFailure, type ReconcileReport } from './report.js';
import type { SeenSubs } from './seenSubs.js';

/** Whether a scanned row could be a user of this pool the run has not seen. */
function isCandidate(row: RowKey, seen: SeenSubs, runStartedAt: string, userPoolId: string): boolean {
  // A key of another shape is the application's own row (`settings`, `admin-1`, the
  // cursor item), and a row naming another pool belongs to a table shared between pools.
  if (!COGNITO_SUB.test(row.sub)) return false;
  if (row.userPoolId !== undefined && row.userPoolId !== userPoolId) return false;
  if (row.deleted || seen.has(row.sub)) return false;
  return row.createdAt === undefined || row.createdAt < runStartedAt;
}

/**
 * Rows whose `sub` the run never listed are orphan candidates. Rows created after the run
 * started are passed over (a trigger wrote them for a user the listing could not see), and
 * every other candidate is looked up by `sub` before it counts. Only rows keyed by a UUID,
 * as Cognito's `sub`s are, and whose `userPoolId` is this pool's (or missing) are candidates:
 * no other row is ever counted, marked or deleted.
 */
export async function checkOrphans(
  seen: SeenSubs,
  runStartedAt: string,
  config: ReconcileConfig,
  report: ReconcileReport,
  signal: AbortSignal,
): Promise<void> {
  const { table } = config;
  for await (const keys of scanProfileKeys(table, signal, config.backoff)) {
    for (const row of keys) {
      if (signal.aborted) return;
      if (!isCandidate(row, seen, runStartedAt, config.userPoolId)) continue;
      const { sub } = row;
      try {
        const findUser = async (s: AbortSignal) => {
          await config.listUsersLimiter.take(s);
          return config.users.findBySub(config.userPoolId, sub, s);
        };
        const user = await withBackoff(findUser, config.backoff, signal);
        if (user !== undefined || signal.aborted) continue;
        countUser(report, 'orphans', sub, config.maxIds);
        if (config.dryRun || config.orphans === 'report') continue;
        if (config.orphans === 'delete') await withBackoff((s) => deleteProfile(table, sub, s), config.backoff, signal);
        else {
          const mark = { fields: { deletedAt: new Date().toISOString() }, now: new Date().toISOString(), mode: 'existing' as const };
          await withBackoff((s) => updateProfileFields(table, sub, mark, s, 'markOrphan'), config.backoff, signal);
        }
        report.orphansResolved += 1;
      } catch (error) {
        if (signal.aborted) return;
        recordFailure(report, config.maxIds, sub, errorName(error));
      }
    }
  }
  report.orphansChecked = !signal.aborted;
}

