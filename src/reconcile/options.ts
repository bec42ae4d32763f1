import { profileMapper } from '../mapping.js';
import { backoffDefaults, type BackoffOptions } from '../backoff.js';
import { checkUserPoolId, cognitoUsers, type CognitoClientOption } from '../cognitoUsers.js';
import { deadlineDefaults } from '../deadline.js';
import { ConfigurationError } from '../errors.js';
import {
  checkChoice,
  checkMapper,
  checkOptionsObject,
  checkWelcomeDelivery,
  checkWelcomeLease,
  definedOnly,
  type ProfileTableOptions,
  type WelcomeDeliveryOption,
} from '../options.js';
import { checkListUsersPerSecond, rateLimiter } from '../rateLimit.js';
import { checkUserDeletedHandler, type UserDeletedHandler } from '../erasure/once.js';
import { resolveTable } from '../store/table.js';
import { welcomeStep } from '../welcome/once.js';
import { checkWelcomeStep, startWelcome, type WelcomeSender } from '../welcome/step.js';
import type { ReconcileReport } from './report.js';

/** What a reconcile does, shared by {@link reconcile} and the scheduled handler. */
export type ReconcileSettings = Omit<ProfileTableOptions, 'logger' | 'logPersonalData'> &
  Partial<CognitoClientOption> &
  WelcomeDeliveryOption & {
  /** The pool whose users the table should hold. */
  userPoolId: string;
  /**
   * The handlers' welcome step. Welcomes left pending are sent through the same once-only
   * claim: those whose sender threw (failed), and under `welcomeDelivery: 'at-least-once'`
   * those whose lease ran out with no sent marker (unknown; under `'at-most-once'` they are
   * only counted, as `welcomes.unknown`).
   * @default undefined (pending welcomes are counted, not sent)
   */
  onWelcome?: WelcomeSender;
  /**
   * Users created in the pool after this time get the welcome when their row has no welcome
   * state: the row is missing (they confirmed while the trigger could not write) or was made
   * without one (by a sign-in, or by a handler with no welcome). Users created before it
   * never do, so turning the library on mails nobody out of the blue.
   * @default undefined (no welcome for rows without welcome state)
   */
  welcomeUsersCreatedAfter?: Date;
  /**
   * The most one welcome send (and the writing of its sent marker) may take, in milliseconds.
   * @default 4500 (what the PostConfirmation handler gives it)
   */
  welcomeDeadlineMs?: number;
  /**
   * How long reconcile's claim on a welcome lasts if the run dies mid-send. Must exceed
   * `welcomeDeadlineMs`.
   * @default 60000
   */
  welcomeLeaseMs?: number;
  /**
   * Report what would change and write nothing (no welcome either).
   * @default false
   */
  dryRun?: boolean;
  /**
   * Users worked on at once, across every partition of the run.
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
   * The admin-change handler's erasure work for a deleted user. Reconcile runs it for the
   * orphans it marks or deletes (reason `orphan`; with `'delete'` the row becomes a tombstone
   * holding `erasedAt` instead of going), and, whatever `orphans` says, finishes erasures left
   * pending on rows marked deleted (reason `pending`): one that threw, or whose process died.
   * Each user is confirmed gone by a look-up first, and a full run is needed (as for orphans).
   * @default undefined (no erasure; pending ones are not looked for)
   */
  onUserDeleted?: UserDeletedHandler;
  /**
   * The most one erasure (`onUserDeleted`, and the write recording it) may take, in milliseconds.
   * @default 30000
   */
  erasureDeadlineMs?: number;
  /**
   * Rows marked deleted after this time that hold no erasure state (the user was deleted
   * before `onUserDeleted` was configured) are erased too. Rows marked before it never are,
   * so turning erasure on does not reach back over every user ever deleted.
   * @default undefined (only erasures begun with `onUserDeleted` are finished)
   */
  eraseUsersDeletedAfter?: Date;
  /**
   * Users with these statuses get no row (and keep any they have).
   * @default ['UNCONFIRMED']: they have not confirmed, so no trigger would have run yet
   */
  skipStatuses?: readonly string[];
  /**
   * The most `ListUsers` calls a second, for the whole run: its partitions and its orphan
   * look-ups share it. Cognito allows 30 a second per account and region, shared with every
   * other caller (the admin-change handler, your own scripts); the default leaves room.
   * `Infinity` turns the limit off (an emulator, a test).
   * @default 25
   */
  listUsersPerSecond?: number;
  /**
   * Read the pool in 16 partitions by the first hex digit of the `sub` (`Filter: sub ^= "0"`
   * …), several pages in flight at once, so the run reaches `listUsersPerSecond`. `false`
   * reads it as one stream, one page per round trip.
   * @default true
   */
  partitionBySub?: boolean;
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

/** Checks the options once and builds the clients. @internal */
export function prepareReconcile(options: ReconcileSettings) {
  checkOptionsObject(options);
  const userPoolId = checkUserPoolId(options.userPoolId);
  const mapAttributes = checkMapper(options.mapAttributes, profileMapper);
  const onWelcome = checkWelcomeStep(options.onWelcome, welcomeStep);
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new ConfigurationError('concurrency', 'must be a whole number from 1 to 100');
  }
  const orphans = checkChoice(options.orphans, 'orphans', ['report', 'mark', 'delete'], 'report');
  const onUserDeleted = checkUserDeletedHandler(options.onUserDeleted);
  const erasureDeadlineMs = options.erasureDeadlineMs ?? 30_000;
  if (typeof erasureDeadlineMs !== 'number' || !Number.isFinite(erasureDeadlineMs) || erasureDeadlineMs <= 0) {
    throw new ConfigurationError('erasureDeadlineMs', 'must be a positive number of milliseconds');
  }
  const eraseAfter = options.eraseUsersDeletedAfter;
  if (eraseAfter !== undefined && !(eraseAfter instanceof Date && !Number.isNaN(eraseAfter.getTime()))) {
    throw new ConfigurationError('eraseUsersDeletedAfter', 'must be a valid Date');
  }
  const after = options.welcomeUsersCreatedAfter;
  if (after !== undefined && !(after instanceof Date && !Number.isNaN(after.getTime()))) {
    throw new ConfigurationError('welcomeUsersCreatedAfter', 'must be a valid Date');
  }
  const welcomeDeadlineMs = options.welcomeDeadlineMs ?? deadlineDefaults.deadlineMs;
  if (typeof welcomeDeadlineMs !== 'number' || !Number.isFinite(welcomeDeadlineMs) || welcomeDeadlineMs <= 0) {
    throw new ConfigurationError('welcomeDeadlineMs', 'must be a positive number of milliseconds');
  }
  const welcomeLeaseMs = checkWelcomeLease(options.welcomeLeaseMs, onWelcome && { option: 'welcomeDeadlineMs', ms: welcomeDeadlineMs });
  const welcomeDelivery = checkWelcomeDelivery(options.welcomeDelivery);
  const maxIds = options.maxIds ?? 100;
  if (!Number.isInteger(maxIds) || maxIds < 0) throw new ConfigurationError('maxIds', 'must be a whole number, 0 or more');
  const backoff = { ...backoffDefaults, ...definedOnly(options.backoff ?? {}) };
  if (!Number.isInteger(backoff.attempts) || backoff.attempts < 1 || !(backoff.baseMs >= 0) || !(backoff.maxMs >= backoff.baseMs)) {
    throw new ConfigurationError('backoff', 'needs attempts >= 1 and 0 <= baseMs <= maxMs');
  }
  const listUsersPerSecond = checkListUsersPerSecond(options.listUsersPerSecond);
  const partitionBySub = options.partitionBySub ?? true;
  if (typeof partitionBySub !== 'boolean') throw new ConfigurationError('partitionBySub', 'must be true or false');
  const table = resolveTable(options.table);
  return {
    userPoolId,
    table,
    users: cognitoUsers(options),
    mapAttributes,
    welcome: onWelcome && startWelcome(onWelcome, { table, leaseMs: welcomeLeaseMs, delivery: welcomeDelivery, sendBudget: { option: 'welcomeDeadlineMs', ms: welcomeDeadlineMs } }),
    welcomeAfter: after?.getTime(),
    welcomeDeadlineMs,
    welcomeDelivery,
    dryRun: options.dryRun ?? false,
    concurrency,
    orphans,
    erasure: onUserDeleted && { onUserDeleted, deadlineMs: erasureDeadlineMs, deletedAfter: eraseAfter?.toISOString() },
    skipStatuses: new Set(options.skipStatuses ?? ['UNCONFIRMED']),
    maxIds,
    backoff,
    partitionBySub,
    listUsersLimiter: rateLimiter(listUsersPerSecond),
  };
}

/** @internal */
export type ReconcileConfig = ReturnType<typeof prepareReconcile>;

/** @internal */
export function checkRunOptions(options: ReconcileRunOptions): void {
  if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor === '')) {
    throw new ConfigurationError('cursor', "must be the non-empty `cursor` of an earlier run's report");
  }
  const stop = options.stopAfterMs;
  if (stop !== undefined && (typeof stop !== 'number' || !Number.isFinite(stop) || stop < 0)) {
    throw new ConfigurationError('stopAfterMs', 'must be a non-negative number of milliseconds');
  }
}

