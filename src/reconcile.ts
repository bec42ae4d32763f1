import { setMaxListeners } from 'node:events';
import { backoffDefaults, withBackoff, type BackoffOptions } from './backoff.js';
import { WelcomeOutcome } from './constants.js';
import { checkUserPoolId, cognitoUsers, isPossibleSub, type CognitoClientOption, type CognitoUser } from './cognitoUsers.js';
import { startDeadline } from './deadline.js';
import { definedOnly } from './definedOnly.js';
import { ConfigurationError, errorName, ReconcileError } from './errors.js';
import { defaultProfile } from './mapping.js';
import { buildProfileItemOf } from './profileItem.js';
import {
  createProfile,
  deleteProfile,
  getProfiles,
  scanProfileKeys,
  updateProfileFields,
  type WelcomeClaim,
} from './profileStore.js';
import { confirmationFor, driftedFields, welcomeDue } from './reconcilePlan.js';
import { SubSet } from './subSet.js';
import { resolveTable, type TableOption } from './table.js';
import type { AttributeMapper, Profile } from './types.js';
import { newClaim, runWelcomeOnce, type WelcomeRun, type WelcomeSender } from './welcomeOnce.js';

/** What a reconcile does, shared by {@link reconcile} and the scheduled handler. */
export type ReconcileSettings = Partial<CognitoClientOption> & {
  /** The pool whose users the table should hold. */
  userPoolId: string;
  /** The profile table: its name, or `{ name, partitionKey?, client? | clientConfig? }`. */
  table: TableOption;
  /**
   * The same mapper as the handlers', so that reconcile writes what the triggers write.
   * @default defaultProfile
   */
  mapAttributes?: AttributeMapper;
  /**
   * The handlers' welcome step. Welcomes left pending (a trigger claimed the welcome, and the
   * claim ran out with no sent marker) are sent through the same once-only claim.
   * @default undefined (pending welcomes are counted in a dry run only)
   */
  onWelcome?: WelcomeSender;
  /**
   * Users created in the pool after this time whose row reconcile creates also get the
   * welcome: they confirmed while the trigger could not write. Rows backfilled for users
   * created before it never do, so turning the library on mails nobody out of the blue.
   * @default undefined (no welcome for backfilled rows)
   */
  welcomeUsersCreatedAfter?: Date;
  /** @default 60000 */
  welcomeLeaseMs?: number;
  /**
   * Report what would change and write nothing (no welcome either).
   * @default false
   */
  dryRun?: boolean;
  /**
   * Users of a page worked on at once.
   * @default 10
   */
  concurrency?: number;
  /**
   * What to do with rows whose user is no longer in the pool: report them, set `deletedAt`,
   * or delete them. Checked only by a run that covers the whole pool (no `cursor`, not
   * stopped early), and each one is confirmed with a look-up by `sub` first.
   * @default 'report'
   */
  orphans?: 'report' | 'mark' | 'delete';
  /**
   * Users with these statuses get no row (and keep any they have).
   * @default ['UNCONFIRMED']: they have not confirmed, so no trigger would have run yet
   */
  skipStatuses?: readonly string[];
  /** Retries of throttled Cognito and DynamoDB calls. */
  backoff?: BackoffOptions;
  /**
   * How many ids each list of the report keeps.
   * @default 100
   */
  maxIds?: number;
};

/** Where one run starts and when it stops. */
export interface ReconcileRunOptions {
  /** Continue a run that stopped: the `cursor` of its report. */
  cursor?: string;
  /**
   * Stop at the first page boundary after this many milliseconds, with a `cursor` to go on.
   * @default undefined (run to the end)
   */
  stopAfterMs?: number;
  /** Called after each page with the report so far. */
  onProgress?: (report: ReconcileReport) => void;
  /**
   * Stops the run: DynamoDB and Cognito calls in flight are aborted (a welcome send already
   * under way runs on, within its lease) and the run resolves with `interrupted: true` and,
   * unless the pages were all done, the `cursor` of the unfinished page (safe to redo).
   */
  signal?: AbortSignal;
}

/** Options of {@link reconcile}. */
export type ReconcileOptions = ReconcileSettings & ReconcileRunOptions;

/** One user reconcile could not handle, by `sub` (no name or address). */
export interface ReconcileFailure {
  /** Missing when Cognito listed a user without one. */
  readonly sub?: string;
  /** The error's name, such as `ProfileWriteError`. */
  readonly error: string;
}

/** What a reconcile run did (or, in a dry run, would do). */
export interface ReconcileReport {
  readonly dryRun: boolean;
  /** The whole pool was covered; when not, `cursor` continues the run. */
  complete: boolean;
  cursor?: string;
  /** The `signal` stopped the run (its pages, or the orphan check after them). */
  interrupted: boolean;
  /** Users of the pages worked through. */
  scanned: number;
  /** Rows created for users that had none. */
  created: number;
  /** Rows whose Cognito-owned fields were repaired. */
  updated: number;
  /** Rows already in step (or written by a trigger while the run looked). */
  unchanged: number;
  /** Users passed over for their status (see `skipStatuses`). */
  skipped: number;
  /** Rows whose user is gone. */
  orphans: number;
  /** Whether this run checked for orphans (only a run over the whole pool does). */
  orphansChecked: boolean;
  /** Orphan rows marked with `deletedAt`, or deleted, by the `orphans` option. */
  orphansResolved: number;
  /** Pending welcomes: sent now, failed again, or (dry run, or no `onWelcome`) found. */
  welcomes: { sent: number; failed: number; pending: number };
  /** Users that failed; the run went on. */
  errors: number;
  /** The `sub`s involved, each list capped at `maxIds`. */
  ids: {
    created: string[];
    updated: string[];
    orphans: string[];
    errors: ReconcileFailure[];
  };
  durationMs: number;
}

const MAPPING_SOURCE = 'Reconcile';

/** Checks the options once and builds the clients. @internal */
export function prepareReconcile(options: ReconcileSettings) {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object');
  const userPoolId = checkUserPoolId(options.userPoolId);
  const mapAttributes = options.mapAttributes ?? defaultProfile;
  if (typeof mapAttributes !== 'function') throw new ConfigurationError('mapAttributes', 'must be a function');
  if (options.onWelcome !== undefined && typeof options.onWelcome !== 'function') {
    throw new ConfigurationError('onWelcome', 'must be a function (profile, context) => Promise');
  }
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new ConfigurationError('concurrency', 'must be a whole number from 1 to 100');
  }
  const orphans = options.orphans ?? 'report';
  if (!['report', 'mark', 'delete'].includes(orphans)) {
    throw new ConfigurationError('orphans', "must be 'report', 'mark' or 'delete'");
  }
  const after = options.welcomeUsersCreatedAfter;
  if (after !== undefined && !(after instanceof Date && !Number.isNaN(after.getTime()))) {
    throw new ConfigurationError('welcomeUsersCreatedAfter', 'must be a valid Date');
  }
  const lease = options.welcomeLeaseMs;
  if (lease !== undefined && (typeof lease !== 'number' || !Number.isFinite(lease) || lease < 1000)) {
    throw new ConfigurationError('welcomeLeaseMs', 'must be at least 1000 ms, longer than any send can take');
  }
  const maxIds = options.maxIds ?? 100;
  if (!Number.isInteger(maxIds) || maxIds < 0) throw new ConfigurationError('maxIds', 'must be a whole number, 0 or more');
  const backoff = { ...backoffDefaults, ...definedOnly(options.backoff ?? {}) };
  if (!Number.isInteger(backoff.attempts) || backoff.attempts < 1 || !(backoff.baseMs >= 0) || !(backoff.maxMs >= backoff.baseMs)) {
    throw new ConfigurationError('backoff', 'needs attempts >= 1 and 0 <= baseMs <= maxMs');
  }
  return {
    userPoolId,
    table: resolveTable(options.table),
    users: cognitoUsers(options),
    mapAttributes,
    onWelcome: options.onWelcome,
    welcomeAfter: after?.getTime(),
    welcomeLeaseMs: options.welcomeLeaseMs ?? 60_000,
    dryRun: options.dryRun ?? false,
    concurrency,
    orphans,
    skipStatuses: new Set(options.skipStatuses ?? ['UNCONFIRMED']),
    maxIds,
    backoff,
  };
}

/** @internal */
export type ReconcileConfig = ReturnType<typeof prepareReconcile>;

function checkRunOptions(options: ReconcileRunOptions): void {
  if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor === '')) {
    throw new ConfigurationError('cursor', "must be the non-empty `cursor` of an earlier run's report");
  }
  const stop = options.stopAfterMs;
  if (stop !== undefined && (typeof stop !== 'number' || !Number.isFinite(stop) || stop < 0)) {
    throw new ConfigurationError('stopAfterMs', 'must be a non-negative number of milliseconds');
  }
}

function emptyReport(dryRun: boolean): ReconcileReport {
  return {
    dryRun,
    complete: false,
    interrupted: false,
    scanned: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    orphans: 0,
    orphansChecked: false,
    orphansResolved: 0,
    welcomes: { sent: 0, failed: 0, pending: 0 },
    errors: 0,
    ids: { created: [], updated: [], orphans: [], errors: [] },
    durationMs: 0,
  };
}

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
  const seen = options.cursor === undefined ? new SubSet() : undefined;
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
  seen: SubSet | undefined,
  signal: AbortSignal,
): Promise<void> {
  const listed: CognitoUser[] = [];
  for (const user of users) {
    if (user.sub === undefined) {
      recordFailure(report, config, undefined, 'MissingSub');
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
      if (!signal.aborted) recordFailure(report, config, user.sub, errorName(error));
    }
  });
}

async function reconcileUser(
  user: CognitoUser,
  row: Profile | undefined,
  listedAt: string,
  config: ReconcileConfig,
  report: ReconcileReport,
  signal: AbortSignal,
): Promise<void> {
  const { table } = config;
  const sub = user.sub!;
  const now = new Date();
  const facts = { userPoolId: config.userPoolId, triggerSource: MAPPING_SOURCE, now: now.toISOString() };
  const mapped = buildProfileItemOf(user, sub, facts, config.mapAttributes, table.partitionKey);
  // `enabled` as the admin-change handler keeps it, only where it says something: on rows
  // that have it, and for disabled users (a first run does not rewrite every row).
  if (user.enabled !== undefined && (user.enabled === false || row?.enabled !== undefined)) mapped.enabled = user.enabled;

  if (row === undefined) {
    // A backfilled member joined when Cognito says, not when reconcile first ran.
    if (user.createdAt !== undefined) mapped.createdAt = user.createdAt.toISOString();
    const welcome =
      config.onWelcome !== undefined &&
      config.welcomeAfter !== undefined &&
      (user.createdAt?.getTime() ?? 0) > config.welcomeAfter;
    if (config.dryRun) {
      count(report, 'created', sub, config);
      if (welcome) report.welcomes.pending += 1;
      return;
    }
    const claim = welcome ? newClaim(config.welcomeLeaseMs) : undefined;
    const outcome = await withBackoff((s) => createProfile(table, mapped, claim, s), config.backoff, signal);
    if (outcome === 'exists') {
      report.unchanged += 1; // a trigger wrote it while this run looked; its row stands
      return;
    }
    count(report, 'created', sub, config);
    if (claim) await sendWelcome(sub, mapped, user, claim, config, report);
    return;
  }

  const drifted = driftedFields(mapped, row, table.partitionKey);
  const rowUpdatedAt = typeof row.updatedAt === 'string' ? row.updatedAt : undefined;
  // A row written after the page was listed is newer than what the page says of the user.
  const newerThanListing = rowUpdatedAt !== undefined && rowUpdatedAt >= listedAt;
  if (Object.keys(drifted).length === 0 || newerThanListing) report.unchanged += 1;
  else if (config.dryRun) count(report, 'updated', sub, config);
  else {
    const update = { fields: drifted, now: now.toISOString(), mode: 'existing' as const, unchangedSince: rowUpdatedAt ?? null };
    const written = await withBackoff((s) => updateProfileFields(table, sub, update, s, 'repairProfile'), config.backoff, signal);
    // The row was deleted or written again since it was read: it is not brought back, nor
    // is the newer write undone.
    if (written === undefined) report.unchanged += 1;
    else count(report, 'updated', sub, config);
  }

  if (welcomeDue(row, now.getTime())) {
    if (config.dryRun || config.onWelcome === undefined) report.welcomes.pending += 1;
    else await sendWelcome(sub, { ...row, ...mapped, createdAt: row.createdAt ?? mapped.createdAt }, user, undefined, config, report);
  }
}

/** A welcome's failure is counted as one, never as the user's: the row is in step. */
async function sendWelcome(
  sub: string,
  profile: Profile,
  user: CognitoUser,
  heldClaim: WelcomeClaim | undefined,
  config: ReconcileConfig,
  report: ReconcileReport,
): Promise<void> {
  // The send must end before the claim it holds does, or another run could take it over.
  const budgetMs = heldClaim ? heldClaim.expiresAt - Date.now() : config.welcomeLeaseMs;
  const run = await runWelcomeOnce({
    table: config.table,
    sub,
    profile,
    sender: config.onWelcome!,
    context: { sub, attributes: user.attributes, event: confirmationFor(user, config.userPoolId) },
    deadline: startDeadline(undefined, { deadlineMs: Math.max(1, budgetMs), safetyMarginMs: 0 }),
    heldClaim,
    leaseMs: config.welcomeLeaseMs,
  }).catch((): WelcomeRun => ({ outcome: WelcomeOutcome.Failed }));
  if (run.outcome === WelcomeOutcome.Sent) report.welcomes.sent += 1;
  else if (run.outcome === WelcomeOutcome.Failed) report.welcomes.failed += 1;
}

/**
 * Rows whose `sub` the run never listed are orphan candidates. Rows created after the run
 * started are passed over (a trigger wrote them for a user the listing could not see), and
 * every other candidate is looked up by `sub` before it counts. Keys that cannot be a
 * Cognito `sub` are never counted: no look-up could confirm them.
 */
async function checkOrphans(
  seen: SubSet,
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
        const user = await withBackoff((s) => config.users.findBySub(config.userPoolId, sub, s), config.backoff, signal);
        if (user !== undefined || signal.aborted) continue;
        count(report, 'orphans', sub, config);
        if (config.dryRun || config.orphans === 'report') continue;
        if (config.orphans === 'delete') await withBackoff((s) => deleteProfile(table, sub, s), config.backoff, signal);
        else {
          const mark = { fields: { deletedAt: new Date().toISOString() }, now: new Date().toISOString(), mode: 'existing' as const };
          await withBackoff((s) => updateProfileFields(table, sub, mark, s, 'markOrphan'), config.backoff, signal);
        }
        report.orphansResolved += 1;
      } catch (error) {
        if (signal.aborted) return;
        recordFailure(report, config, sub, errorName(error));
      }
    }
  }
  report.orphansChecked = !signal.aborted;
}

function count(report: ReconcileReport, what: 'created' | 'updated' | 'orphans', sub: string, config: ReconcileConfig): void {
  report[what] += 1;
  if (report.ids[what].length < config.maxIds) report.ids[what].push(sub);
}

function recordFailure(report: ReconcileReport, config: ReconcileConfig, sub: string | undefined, error: string): void {
  report.errors += 1;
  if (report.ids.errors.length < config.maxIds) report.ids.errors.push({ ...(sub !== undefined && { sub }), error });
}

/** Runs `work` on every item with at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

