import { eventTimeOf, type CognitoApiCallEvent, IgnoredReason, readApiCall } from '../cloudTrail.js';
import { isInvalidEventError } from '../errors.js';
import type { BatchRecord, BatchSource } from './records.js';

/*
 * Coalescing a batch by user. Every change but a deletion is applied by reading the user's
 * current state, so however many changes a batch holds for one user, one read made after
 * all of them (which is when the batch is worked on) and one write apply them all. A
 * deletion among them wins: the user is gone, and no read would find them.
 */

/**
 * Why a record of a batch was passed over without being applied: a reason of the
 * EventBridge handler's (`IgnoredReason`), or one of a batch's own.
 * - `malformed-record`: the record carries no JSON object (not base64, not JSON).
 * - `invalid-event`: the event's `detail.eventTime` is not a time.
 *
 * @internal
 */
export const BatchSkipReason = {
  MalformedRecord: 'malformed-record',
  InvalidEvent: 'invalid-event',
} as const;

/** A record passed over, with what its log line says. @internal */
export interface PassedRecord {
  readonly id: string | undefined;
  readonly source: BatchSource | undefined;
  readonly reason: IgnoredReason | (typeof BatchSkipReason)[keyof typeof BatchSkipReason];
  /** What is wrong with a malformed record or event: a field or a shape, never a value. */
  readonly problem?: string;
  readonly eventName?: string;
  readonly userPoolId?: string;
  readonly sub?: string;
}

/** The call that stands for one user's records. @internal */
export interface CoalescedCall {
  readonly eventName: string;
  readonly eventTime: string;
}

/** One user's records in a batch and what they come to. @internal */
export interface UserWork {
  readonly sub: string;
  readonly userPoolId: string;
  /** The identifiers of every record applied for the user, in batch order. */
  readonly ids: string[];
  readonly eventNames: Set<string>;
  /** The earliest deletion: a replayed deletion keeps the first time (`deletedAt`). */
  deletion?: CoalescedCall;
  /**
   * The latest change: the read comes after it. Its time bounds the rows of the old
   * `cognitoEventAt` scheme, as a single event's time does.
   */
  change?: CoalescedCall;
}

/**
 * Groups a batch's records by user, in the order each user first appears (for Kinesis,
 * sequence order, so that a batch cut short leaves its failures at the end), and lists the
 * records passed over.
 *
 * @internal
 */
export function coalesceByUser(records: readonly BatchRecord[], userPoolId: string): { users: UserWork[]; passed: PassedRecord[] } {
  const users = new Map<string, UserWork>();
  const passed: PassedRecord[] = [];
  for (const record of records) {
    if (record.kind === 'malformed') {
      passed.push({ id: record.id, source: record.source, reason: BatchSkipReason.MalformedRecord, problem: record.problem });
      continue;
    }
    const { id, source } = record;
    const call = readApiCall(record.event, userPoolId);
    const named = {
      ...(call.eventName !== undefined && { eventName: call.eventName }),
      ...(call.userPoolId !== undefined && { userPoolId: call.userPoolId }),
      ...(call.sub !== undefined && { sub: call.sub }),
    };
    if (call.kind === 'ignored') {
      passed.push({ id, source, reason: call.reason, ...named });
      continue;
    }
    let eventTime: string;
    try {
      eventTime = eventTimeOf(record.event as CognitoApiCallEvent);
    } catch (error) {
      if (!isInvalidEventError(error)) throw error;
      passed.push({ id, source, reason: BatchSkipReason.InvalidEvent, problem: error.field, ...named });
      continue;
    }
    let work = users.get(call.sub);
    if (work === undefined) {
      work = { sub: call.sub, userPoolId: call.userPoolId, ids: [], eventNames: new Set() };
      users.set(call.sub, work);
    }
    work.ids.push(id);
    work.eventNames.add(call.eventName);
    const at = { eventName: call.eventName, eventTime };
    if (call.kind === 'delete') {
      if (work.deletion === undefined || eventTime < work.deletion.eventTime) work.deletion = at;
    } else if (work.change === undefined || eventTime >= work.change.eventTime) {
      work.change = at;
    }
  }
  return { users: [...users.values()], passed };
}
