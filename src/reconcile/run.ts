import { setMaxListeners } from 'node:events';
import { withBackoff } from '../backoff.js';
import type { CognitoUser } from '../cognitoUsers.js';
import { errorName, ReconcileError } from '../errors.js';
import { getProfiles } from '../store/profileReads.js';
import { checkRunOptions, prepareReconcile, type ReconcileConfig, type ReconcileOptions, type ReconcileRunOptions } from './options.js';
import { checkOrphans } from './orphans.js';
import { emptyReport, recordFailure, type ReconcileReport } from './report.js';
import { SeenSubs } from './seenSubs.js';
import { reconcileUser } from './user.js';

/**
 * Brings the profile table in step with the pool: pages through `ListUsers`, reads each
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

/** One run with prepared options. @internal */
export async function runReconcile(config: ReconcileConfig, options: ReconcileRunOptions): Promise<ReconcileReport> {
  checkRunOptions(options);
  const startedAt = Date.now();
  const report = emptyReport(config.dryRun);
  // The run's own signal, following the caller's: many calls of a page listen on it at once,
  // more than Node's default warning allows, and the caller's signal is not ours to change.
  const controller = new AbortController();
  const { signal } = controller;
  setMaxListeners(0, signal);
  const follow = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) follow();
  else options.signal?.addEventListener('abort', follow, { once: true });
  const seen = options.cursor === undefined ? new SeenSubs() : undefined;
  const finish = () => {
    options.signal?.removeEventListener('abort', follow);
    report.interrupted = signal.aborted;
    if (report.complete || report.cursor === undefined) delete report.cursor;
    report.durationMs = Date.now() - startedAt;
    return report;
  };

  // `token` names the page being worked on (`undefined` for the first): where to go on.
  let token = options.cursor;
  const fetchPage = (from: string | undefined) => {
    const listedAt = new Date().toISOString();
    return withBackoff((s) => config.users.listPage(config.userPoolId, from, s), config.backoff, signal).then((page) => ({ ...page, listedAt }));
  };
  try {
    let page = fetchPage(token);
    for (;;) {
      const { users, next, listedAt } = await page;
      if (next !== undefined) {
        // The next page is fetched while this one is worked on; ListUsers is the slow part.
        page = fetchPage(next);
        page.catch(() => undefined); // an early stop leaves it unread
      }
      await reconcilePage(users, listedAt, config, report, seen, signal);
      if (signal.aborted) break;
      report.scanned += users.length;
      token = next;
      report.cursor = token;
      if (token === undefined) report.complete = true;
      options.onProgress?.(structuredClone({ ...report, durationMs: Date.now() - startedAt }));
      if (report.complete) break;
      if (options.stopAfterMs !== undefined && Date.now() - startedAt >= options.stopAfterMs) break;
    }
    if (report.complete && seen !== undefined && !signal.aborted) {
      await checkOrphans(seen, new Date(startedAt).toISOString(), config, report, signal);
    }
  } catch (error) {
    if (!signal.aborted) {
      if (!report.complete) report.cursor = token;
      throw new ReconcileError(finish(), error);
    }
  }
  if (!report.complete) report.cursor = token;
  return finish();
}

async function reconcilePage(
  users: readonly CognitoUser[],
  listedAt: string,
  config: ReconcileConfig,
  report: ReconcileReport,
  seen: SeenSubs | undefined,
  signal: AbortSignal,
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
  await eachLimited(listed, config.concurrency, async (user) => {
    try {
      await reconcileUser(user, rows.get(user.sub!), listedAt, config, report, signal);
    } catch (error) {
      if (!signal.aborted) recordFailure(report, config.maxIds, user.sub, errorName(error));
    }
  });
}

/** Runs `work` on every item with at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

