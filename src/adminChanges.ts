import type { Context, EventBridgeEvent } from 'aws-lambda';
import { checkUserPoolId, cognitoUsers, type CognitoClientOption } from './cognitoUsers.js';
import { type DeadlineOptions, startDeadline, validateDeadlineOptions } from './deadline.js';
import { InvalidEventError } from './errors.js';
import { invocationLog, resolveLogger } from './log.js';
import { checkChoice, checkMapper, checkOptionsObject, type ProfileTableOptions } from './options.js';
import { buildProfileItemForCognitoUser } from './store/profileItem.js';
import { deleteProfile, updateProfileFields } from './store/profileStore.js';
import { resolveTable } from './store/table.js';

/** The `detail` of a CloudTrail API-call event, as far as the library reads it. */
export interface CloudTrailDetail {
  eventName?: string;
  eventSource?: string;
  eventTime?: string;
  errorCode?: string;
  requestParameters?: { userPoolId?: string; [name: string]: unknown } | null;
  additionalEventData?: { sub?: string; [name: string]: unknown } | null;
  [name: string]: unknown;
}

/** An EventBridge event for a Cognito user-pool API call recorded by CloudTrail. */
export type CognitoApiCallEvent = EventBridgeEvent<'AWS API Call via CloudTrail', CloudTrailDetail>;

/** Calls after which the user's current state is read from Cognito and written to the row. */
const SYNC_EVENTS: ReadonlySet<string> = new Set([
  'AdminCreateUser',
  'AdminUpdateUserAttributes',
  'UpdateUserAttributes',
  'AdminDeleteUserAttributes',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'AdminDisableUser',
  'AdminEnableUser',
]);
/** Calls that delete the user. */
const DELETE_EVENTS: ReadonlySet<string> = new Set(['AdminDeleteUser', 'DeleteUser']);

/**
 * The CloudTrail event names the admin-change handler applies: the `detail.eventName` list
 * of the EventBridge rule that feeds it (others are ignored, so the rule need not send them).
 */
export const ADMIN_CHANGE_EVENT_NAMES: readonly string[] = [...SYNC_EVENTS, ...DELETE_EVENTS];

/** Row attribute holding the CloudTrail time of the newest change applied. */
const EVENT_TIME_ATTRIBUTE = 'cognitoEventAt';

/**
 * What one admin-change event did.
 * - `synced`: the row now holds the user's current attributes and `enabled` flag.
 * - `deleted` / `marked`: the user was deleted; the row was removed, or got `deletedAt`.
 * - `stale`: the row already reflects a newer change (or, for a deletion to mark, there is
 *   no row); nothing written.
 * - `user-gone`: the user no longer exists in Cognito (a deletion follows); nothing written.
 * - `ignored`: not a user-changing call of this pool, or a call that failed.
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
     * member record), `'delete'` removes it.
     * @default 'mark'
     */
    onDelete?: 'mark' | 'delete';
  };

const LOG_MESSAGE = 'cognito-profile-sync AdminChange';

function validate(options: AdminChangeOptions) {
  checkOptionsObject(options);
  const userPoolId = checkUserPoolId(options.userPoolId);
  return {
    userPoolId,
    onDelete: checkChoice(options.onDelete, 'onDelete', ['mark', 'delete'], 'mark'),
    mapAttributes: checkMapper(options.mapAttributes),
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

/** The event time as a canonical ISO string, so that times compare correctly as text. */
function eventTimeOf(event: CognitoApiCallEvent): string {
  const raw = event.detail?.eventTime ?? event.time;
  const time = typeof raw === 'string' ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) throw new InvalidEventError('detail.eventTime', 'must be an ISO 8601 time');
  return time.toISOString();
}

/**
 * An EventBridge target for CloudTrail's Cognito user-pool API calls: attribute updates,
 * deletions, disable and enable, admin-created users. CloudTrail redacts attribute values
 * and user names but records the `sub`, so the user's current state is read from Cognito by
 * `sub` and written with a condition on the event time: replays and late events never roll
 * a row back. Failures reject, so EventBridge's retries and dead-letter queue apply.
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
  const { table } = config;

  return async function applyAdminChange(event, context) {
    const log = invocationLog(config.logger, LOG_MESSAGE, config.logPersonalData);
    const detail = event?.detail;
    const eventName = typeof detail?.eventName === 'string' ? detail.eventName : undefined;
    const userPoolId = detail?.requestParameters?.userPoolId ?? config.userPoolId;
    const rawSub = detail?.additionalEventData?.sub;
    const sub = typeof rawSub === 'string' && rawSub.length > 0 ? rawSub : undefined;
    const ids = { userPoolId, sub };
    const finish = (outcome: AdminChangeOutcome, fields: Record<string, unknown> = {}): AdminChangeResult => {
      log.write('info', ids, { eventName, outcome, ...fields });
      return { outcome, eventName, ...(sub !== undefined && { sub }) };
    };

    const known = eventName !== undefined && (SYNC_EVENTS.has(eventName) || DELETE_EVENTS.has(eventName));
    if (!known || event.source !== 'aws.cognito-idp' || userPoolId !== config.userPoolId) return finish(AdminChangeOutcome.Ignored);
    if (detail?.errorCode) return finish(AdminChangeOutcome.Ignored, { reason: 'call failed' });
    if (sub === undefined) return finish(AdminChangeOutcome.Unidentified);

    try {
      const eventTime = eventTimeOf(event);
      const deadline = startDeadline(context, config.deadline);
      if (DELETE_EVENTS.has(eventName)) {
        if (config.onDelete === 'delete') {
          await deadline.run('deleteProfile', (signal) => deleteProfile(table, sub, signal));
          return finish(AdminChangeOutcome.Deleted);
        }
        const mark = {
          fields: { deletedAt: eventTime },
          now: new Date().toISOString(),
          mode: 'existing' as const,
          notOlderThan: { attribute: EVENT_TIME_ATTRIBUTE, value: eventTime },
        };
        const marked = await deadline.run('markDeleted', (signal) =>
          updateProfileFields(table, sub, mark, signal, 'markDeleted'),
        );
        return finish(marked ? AdminChangeOutcome.Marked : AdminChangeOutcome.Stale);
      }

      const user = await deadline.run('readUser', (signal) => config.users.findBySub(config.userPoolId, sub, signal));
      if (!user) return finish(AdminChangeOutcome.UserGone);
      const now = new Date().toISOString();
      const facts = { userPoolId: config.userPoolId, triggerSource: `AdminChange_${eventName}`, now };
      const fields = buildProfileItemForCognitoUser(user, sub, facts, config.mapAttributes, table.partitionKey);
      if (user.enabled !== undefined) fields.enabled = user.enabled;
      const sync = { fields, now, mode: 'upsert' as const, notOlderThan: { attribute: EVENT_TIME_ATTRIBUTE, value: eventTime } };
      const written = await deadline.run('syncProfile', (signal) =>
        updateProfileFields(table, sub, sync, signal, 'syncProfile'),
      );
      return finish(written ? AdminChangeOutcome.Synced : AdminChangeOutcome.Stale);
    } catch (error) {
      log.write('error', ids, { eventName, outcome: 'failed', error: log.describeError(error) });
      throw error;
    }
  };
}
