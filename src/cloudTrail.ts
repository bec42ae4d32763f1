import type { EventBridgeEvent } from 'aws-lambda';
import { COGNITO_SUB } from './constants.js';
import { InvalidEventError } from './errors.js';

/*
 * Reading a CloudTrail record of a Cognito user-pool API call, as EventBridge delivers it:
 * which call, which pool, which user. CloudTrail redacts user names and attribute values,
 * so the user is known by `sub` only, and a redacted value is never read as if it were one.
 * Where each field was seen is in docs/admin-changes.md ("Where the sub is read from").
 */

/** The `detail` of a CloudTrail API-call event, as far as the library reads it. */
export interface CloudTrailDetail {
  eventName?: string;
  eventSource?: string;
  eventTime?: string;
  errorCode?: string;
  requestParameters?: { userPoolId?: string; username?: string; [name: string]: unknown } | null;
  responseElements?: { userSub?: string; user?: unknown; [name: string]: unknown } | null;
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
// Marked pure so that a bundle without the admin-change handler drops it.
export const ADMIN_CHANGE_EVENT_NAMES: readonly string[] = /* @__PURE__ */ Array.from(SYNC_EVENTS).concat(/* @__PURE__ */ Array.from(DELETE_EVENTS));

/**
 * Why an event was passed over, as its log line and result say.
 * - `not-user-pool-call`: not a CloudTrail record of a `cognito-idp` API call.
 * - `unknown-call`: a call the handler does not apply (see `ADMIN_CHANGE_EVENT_NAMES`).
 * - `other-pool`: a call on another user pool.
 * - `call-failed`: the call failed (`errorCode`), so nothing changed.
 * - `no-sub`: no readable `sub` anywhere in the record.
 */
export const IgnoredReason = {
  NotUserPoolCall: 'not-user-pool-call',
  UnknownCall: 'unknown-call',
  OtherPool: 'other-pool',
  CallFailed: 'call-failed',
  NoSub: 'no-sub',
} as const;

/** Why an event was passed over. */
export type IgnoredReason = (typeof IgnoredReason)[keyof typeof IgnoredReason];

/** The values CloudTrail writes in place of what it redacts; both spellings occur. */
const REDACTION_MARKERS: ReadonlySet<string> = new Set(['HIDDEN_DUE_TO_SECURITY_REASONS', 'HIDDEN_FOR_SECURITY_REASONS']);


/** A string CloudTrail recorded as it was: present, not empty, not redacted. */
function readable(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && !REDACTION_MARKERS.has(value) ? value : undefined;
}

const asSub = (value: unknown): string | undefined => {
  const text = readable(value);
  return text !== undefined && COGNITO_SUB.test(text) ? text : undefined;
};

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** The `sub` in `responseElements.user.attributes` of an `AdminCreateUser`, if not redacted. */
function subOfReturnedUser(user: unknown): string | undefined {
  const attributes = record(user)?.attributes;
  if (!Array.isArray(attributes)) return undefined;
  const entry = attributes.map(record).find((attribute) => attribute?.name === 'sub');
  return asSub(entry?.value);
}

/**
 * The user's `sub`: `additionalEventData.sub` (most calls), else a user name that is itself a
 * `sub` (pools that sign in by email or phone name users by `sub`), else what the call
 * returned (`userSub` of `SignUp`, the created user of `AdminCreateUser`).
 */
function subOf(detail: Record<string, unknown>): string | undefined {
  return (
    asSub(record(detail.additionalEventData)?.sub) ??
    asSub(record(detail.requestParameters)?.username) ??
    asSub(record(detail.responseElements)?.userSub) ??
    subOfReturnedUser(record(detail.responseElements)?.user)
  );
}

/** What an event asks of the handler. @internal */
export type ApiCall =
  | { readonly kind: 'ignored'; readonly reason: IgnoredReason; readonly eventName?: string; readonly userPoolId?: string; readonly sub?: string }
  | { readonly kind: 'sync' | 'delete'; readonly eventName: string; readonly userPoolId: string; readonly sub: string };

/**
 * Reads which call an event records, on which pool and for which user, or why it is passed
 * over. Self-service calls (`DeleteUser`, `UpdateUserAttributes`) are made with an access
 * token and name no pool: they are taken as calls on `userPoolId`.
 *
 * @internal
 */
export function readApiCall(event: unknown, userPoolId: string): ApiCall {
  const detail = record(record(event)?.detail) ?? {};
  const eventName = readable(detail.eventName);
  const poolId = readable(record(detail.requestParameters)?.userPoolId) ?? userPoolId;
  if (record(event)?.source !== 'aws.cognito-idp' || detail.eventSource !== 'cognito-idp.amazonaws.com') {
    return { kind: 'ignored', reason: IgnoredReason.NotUserPoolCall, ...(eventName !== undefined && { eventName }) };
  }
  // Read for every user-pool call, so that even a passed-over call's log line names its user.
  const sub = subOf(detail);
  const ignored = (reason: IgnoredReason): ApiCall => ({
    kind: 'ignored',
    reason,
    ...(eventName !== undefined && { eventName }),
    userPoolId: poolId,
    ...(sub !== undefined && { sub }),
  });
  const kind = eventName === undefined ? undefined : SYNC_EVENTS.has(eventName) ? 'sync' : DELETE_EVENTS.has(eventName) ? 'delete' : undefined;
  if (kind === undefined || eventName === undefined) return ignored(IgnoredReason.UnknownCall);
  if (poolId !== userPoolId) return ignored(IgnoredReason.OtherPool);
  // A failed call changed nothing; CloudTrail writes `errorCode: ""` on some successful records.
  if (readable(detail.errorCode) !== undefined) return ignored(IgnoredReason.CallFailed);
  if (sub === undefined) return ignored(IgnoredReason.NoSub);
  return { kind, eventName, userPoolId: poolId, sub };
}

/**
 * The time of the call as a canonical ISO string, so that times compare correctly as text.
 *
 * @internal
 */
export function eventTimeOf(event: CognitoApiCallEvent): string {
  const raw = event.detail?.eventTime ?? event.time;
  const time = typeof raw === 'string' ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) throw new InvalidEventError('detail.eventTime', 'must be an ISO 8601 time');
  return time.toISOString();
}
