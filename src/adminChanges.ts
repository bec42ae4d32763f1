import { profileMapper } from './mapping.js';
import type { Context } from 'aws-lambda';
import { type ApiCall, type CognitoApiCallEvent, eventTimeOf, IgnoredReason, readApiCall } from './cloudTrail.js';
import { checkUserPoolId, type CognitoClientOption, type CognitoUser, cognitoUsers } from './cognitoUsers.js';
import { type Deadline, type DeadlineOptions, startDeadline, validateDeadlineOptions } from './deadline.js';
import { checkUserDeletedHandler, deleteAndErase, ErasureOutcome, ErasureReason, type UserDeletedHandler } from './erasure/once.js';
import { ErasureError } from './errors.js';
import { invocationLog, resolveLogger } from './log.js';
import { checkChoice, checkMapper, checkOptionsObject, type ProfileTableOptions } from './options.js';
import { buildProfileItemForCognitoUser } from './store/profileData.js';
import { updateProfileFields } from './store/profileStore.js';
import { resolveTable } from './store/table.js';
import { markProfileDeleted, tombstoneProfile } from './store/tombstone.js';
import type { Profile } from './types.js';

export { ADMIN_CHANGE_EVENT_NAMES, IgnoredReason } from './cloudTrail.js';
export type { CloudTrailDetail, CognitoApiCallEvent } from './cloudTrail.js';

/**
 * Row attribute ordering the handler's writes: how fresh the state written is, as
 * `<UserLastModifiedDate>|<read time>` (both ISO 8601, so the text orders as the times do).
 */
const VERSION_ATTRIBUTE = 'cognitoVersion';
/** What rows written by earlier versions are ordered by: the CloudTrail time of the call. */
const LEGACY_VERSION_ATTRIBUTE = 'cognitoEventAt';
/** Row attributes that are the handler's own: a mapper's output never sets them. */
const OWN_FIELDS: ReadonlySet<string> = new Set([VERSION_ATTRIBUTE, LEGACY_VERSION_ATTRIBUTE, 'deletedAt']);

/**
 * What one admin-change event did.
 * - `synced`: the row now holds the user's current attributes and `enabled` flag.
 * - `deleted`: the user was deleted; the row is now a tombstone (key, `deletedAt`,
 *   `updatedAt`), created if there was no row.
 * - `marked`: the user was deleted; the row has `deletedAt` and keeps its fields (a tombstone
 *   when there was no row).
 * - `stale`: the row holds state read from Cognito later than this event's read, or the
 *   user was deleted meanwhile; nothing written.
 * - `user-gone`: the user no longer exists in Cognito (a deletion follows); nothing written.
 * - `ignored`: not a user-changing call of this pool, or a call that failed (see `reason`).
 * - `unidentified`: the event does not say which user; logged and skipped, never guessed.
 */
export const AdminChangeOutcome = {
  Synced: 'synced',
  Deleted: 'deleted',
  Marked: 'marked',
  Stale: 'stale',
  UserGone: 'user-gone',
  Ignored: 'ignored',
  Unidentified: 'unidentified',
} as const;

/** What one admin-change event did. */
export type AdminChangeOutcome = (typeof AdminChangeOutcome)[keyof typeof AdminChangeOutcome];

/** The result of one admin-change event. */
export interface AdminChangeResult {
  readonly outcome: AdminChangeOutcome;
  readonly eventName: string | undefined;
  readonly sub?: string;
  /** Why an `ignored` or `unidentified` event was passed over. */
  readonly reason?: IgnoredReason;
  /** With `onUserDeleted`, what a deletion did about the user's erasure. */
  readonly erasure?: ErasureOutcome;
}

/** Options of {@link createAdminChangeHandler}. */
export type AdminChangeOptions = ProfileTableOptions &
  DeadlineOptions &
  Partial<CognitoClientOption> & {
    /**
     * The pool whose changes to apply. Events of other pools are ignored; self-service calls
     * whose event names no pool are read from this one.
     */
    userPoolId: string;
    /**
     * What a user deletion does to the row: `'mark'` sets `deletedAt` (the row is your
     * member record), `'delete'` replaces it with a tombstone holding only the key,
     * `deletedAt` and `updatedAt`. Either way no later sync writes to it again.
     * @default 'mark'
     */
    onDelete?: 'mark' | 'delete';
    /**
     * Your erasure work for a deleted user (other stores: objects, other tables with
     * {@link eraseFromTables}, a CRM), given the row as it was last and the deadline's
     * signal. Before it runs, the user is looked up by `sub`: one who still exists fails the
     * event and nothing is written. It runs at least once per deleted user and never again
     * once it completed (`erasedAt` on the row or tombstone); a failure rejects, so
     * EventBridge retries it (and reconcile finishes it). With `onDelete: 'delete'` the row
     * keeps its fields until the erasure is recorded, so that a retry is given them too.
     * @default undefined (no erasure)
     */
    onUserDeleted?: UserDeletedHandler;
  };

/** @internal */
export const LOG_MESSAGE = 'cognito-profile-sync AdminChange';

/** Checks the options once and builds the clients. @internal */
export function validate(options: AdminChangeOptions) {
  checkOptionsObject(options);
  const userPoolId = checkUserPoolId(options.userPoolId);
  return {
    userPoolId,
    onDelete: checkChoice(options.onDelete, 'onDelete', ['mark', 'delete'], 'mark'),
    onUserDeleted: checkUserDeletedHandler(options.onUserDeleted),
    mapAttributes: checkMapper(options.mapAttributes, profileMapper),
    logPersonalData: options.logPersonalData ?? false,
    // EventBridge invokes asynchronously: no Cognito 5 s limit, only the Lambda's own time.
    deadline: validateDeadlineOptions({
      deadlineMs: options.deadlineMs === undefined ? 20_000 : options.deadlineMs,
      safetyMarginMs: options.safetyMarginMs,
    }),
    table: resolveTable(options.table),
    users: cognitoUsers(options),
    logger: resolveLogger(options.logger),
  };
}

/** @internal */
export type Config = ReturnType<typeof validate>;
/** @internal */
export type UserCall = Extract<ApiCall, { kind: 'sync' | 'delete' }>;

const EPOCH = new Date(0);

/**
 * How fresh a state read from Cognito is: its `UserLastModifiedDate`, then when it was read.
 * The read time breaks ties: two reads can return one last-modified time with different
 * content (a change that does not touch it, or two within a millisecond), and a read that
 * began after another ended saw at least what that one saw.
 */
function versionOf(user: CognitoUser, readAt: Date): string {
  const modified = user.lastModifiedAt !== undefined && Number.isFinite(user.lastModifiedAt.getTime()) ? user.lastModifiedAt : EPOCH;
  return `${modified.toISOString()}|${readAt.toISOString()}`;
}

/** Reads the user's current state and writes it, unless the row holds a fresher one. @internal */
export async function applySync(config: Config, call: UserCall, eventTime: string, deadline: Deadline): Promise<AdminChangeOutcome> {
  const { table } = config;
  const readAt = new Date();
  const user = await deadline.run('readUser', (signal) => config.users.findBySub(config.userPoolId, call.sub, signal));
  if (!user) return AdminChangeOutcome.UserGone;
  const now = new Date().toISOString();
  const facts = { userPoolId: config.userPoolId, triggerSource: `AdminChange_${call.eventName}`, now };
  const mapped = buildProfileItemForCognitoUser(user, call.sub, facts, config.mapAttributes, table.partitionKey);
  const fields: Profile = Object.fromEntries(Object.entries(mapped).filter(([name]) => !OWN_FIELDS.has(name)));
  if (user.enabled !== undefined) fields.enabled = user.enabled;
  const update = {
    fields,
    now,
    mode: 'upsert' as const,
    notDeleted: true,
    version: {
      attribute: VERSION_ATTRIBUTE,
      value: versionOf(user, readAt),
      legacy: { attribute: LEGACY_VERSION_ATTRIBUTE, notAfter: eventTime },
    },
  };
  const written = await deadline.run('syncProfile', (signal) => updateProfileFields(table, call.sub, update, signal, 'syncProfile'));
  return written ? AdminChangeOutcome.Synced : AdminChangeOutcome.Stale;
}

/** What a deletion did: the row's outcome and, with `onUserDeleted`, the erasure's. @internal */
export interface DeletionApplied {
  readonly outcome: AdminChangeOutcome;
  readonly erasure?: ErasureOutcome;
}

/**
 * Closes the row for good: marked, or a tombstone; either is created when there is no row.
 * With `onUserDeleted`, the user is first confirmed gone, then erased once.
 *
 * @internal
 */
export async function applyDeletion(config: Config, call: UserCall, eventTime: string, deadline: Deadline): Promise<DeletionApplied> {
  const deletion = { deletedAt: eventTime, now: new Date().toISOString() };
  const { table, onUserDeleted } = config;
  const outcome = config.onDelete === 'delete' ? AdminChangeOutcome.Deleted : AdminChangeOutcome.Marked;
  if (onUserDeleted !== undefined) {
    // Erasure cannot be undone: a record naming a user who is still there (another pool's
    // self-service call, a forged or misrouted event) erases nothing and writes nothing.
    const user = await deadline.run('readUser', (signal) => config.users.findBySub(config.userPoolId, call.sub, signal));
    if (user !== undefined) throw new ErasureError(call.sub, 'was not run: the user still exists in the pool');
    const task = { table, onUserDeleted, sub: call.sub, userPoolId: config.userPoolId, reason: ErasureReason.UserDeleted, deadline };
    const erasure = await deleteAndErase(task, deletion, { tombstone: config.onDelete === 'delete', existingOnly: false });
    return { outcome, erasure };
  }
  if (config.onDelete === 'delete') await deadline.run('tombstoneProfile', (signal) => tombstoneProfile(table, call.sub, deletion, signal));
  else await deadline.run('markDeleted', (signal) => markProfileDeleted(table, call.sub, deletion, signal));
  return { outcome };
}

/**
 * An EventBridge target for CloudTrail's Cognito user-pool API calls: attribute updates,
 * deletions, disable and enable, admin-created users. CloudTrail redacts attribute values
 * and user names but records the `sub`, so the user's current state is read from Cognito by
 * `sub` and written only if it is fresher than the row's (by Cognito's last-modified time,
 * then the read time): replays and late or concurrent events never roll a row back. After a
 * deletion no sync writes to the row again. Failures reject, so EventBridge's retries and
 * dead-letter queue apply.
 *
 * @example
 * ```ts
 * export const handler = createAdminChangeHandler({
 *   table: process.env.DDB_TABLE!,
 *   userPoolId: process.env.USER_POOL_ID!,
 * });
 * ```
 */
export function createAdminChangeHandler(
  options: AdminChangeOptions,
): (event: CognitoApiCallEvent, context?: Context) => Promise<AdminChangeResult> {
  const config = validate(options);

  return async function applyAdminChange(event, context) {
    const log = invocationLog(config.logger, LOG_MESSAGE, config.logPersonalData);
    const call = readApiCall(event, config.userPoolId);
    const { eventName, sub } = call;
    const ids = { userPoolId: call.userPoolId, sub };
    const finish = (outcome: AdminChangeOutcome, reason?: IgnoredReason, erasure?: ErasureOutcome): AdminChangeResult => {
      const extra = { ...(reason !== undefined && { reason }), ...(erasure !== undefined && { erasure }) };
      log.write('info', ids, { eventName, outcome, ...extra });
      return { outcome, eventName, ...(sub !== undefined && { sub }), ...extra };
    };

    if (call.kind === 'ignored') {
      return finish(call.reason === IgnoredReason.NoSub ? AdminChangeOutcome.Unidentified : AdminChangeOutcome.Ignored, call.reason);
    }
    try {
      const eventTime = eventTimeOf(event);
      const deadline = startDeadline(context, config.deadline);
      if (call.kind === 'sync') return finish(await applySync(config, call, eventTime, deadline));
      const { outcome, erasure } = await applyDeletion(config, call, eventTime, deadline);
      return finish(outcome, undefined, erasure);
    } catch (error) {
      log.write('error', ids, { eventName, outcome: 'failed', error: log.describeError(error) });
      throw error;
    }
  };
}
