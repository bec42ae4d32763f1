import { withBackoff } from '../backoff.js';
import { isPossibleSub } from '../cognitoUsers.js';
import { errorName } from '../errors.js';
import { scanProfileKeys } from '../store/profileReads.js';
import { deleteProfile, updateProfileFields } from '../store/profileStore.js';
import type { ReconcileConfig } from './options.js';
import { countUser, recordFailure, type ReconcileReport } from './report.js';
import type { SeenSubs } from './seenSubs.js';

/**
 * Rows whose `sub` the run never listed are orphan candidates. Rows created after the run
 * started are passed over (a trigger wrote them for a user the listing could not see), and
 * every other candidate is looked up by `sub` before it counts. Keys that cannot be a
 * Cognito `sub` are never counted: no look-up could confirm them.
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
    for (const { sub, deleted, createdAt } of keys) {
      if (signal.aborted) return;
      if (deleted || seen.has(sub) || !isPossibleSub(sub) || (createdAt !== undefined && createdAt >= runStartedAt)) continue;
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

