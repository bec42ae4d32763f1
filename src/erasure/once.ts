import { randomUUID } from 'node:crypto';
import type { Deadline } from '../deadline.js';
import { ConfigurationError, ErasureError, errorName, isDeadlineExceededError, isErasureError } from '../errors.js';
import {
  claimErasure,
  ErasureAttribute,
  type ErasureClaim,
  markDeletedClaimingErasure,
  recordErasure,
  releaseErasureClaim,
} from '../store/erasure.js';
import type { ResolvedTable } from '../store/table.js';
import { type Deletion, markProfileDeleted, nonTombstoneFields, stripToTombstone } from '../store/tombstone.js';
import { rejectionError } from '../toAsyncHandler.js';
import type { Profile } from '../types.js';

/**
 * Why a user's erasure runs.
 * - `user-deleted`: the admin-change handler applied `AdminDeleteUser` or `DeleteUser`.
 * - `orphan`: reconcile found the row's user gone from the pool and marked or deleted it.
 * - `pending`: reconcile finishes an erasure an earlier delivery or run left undone (it
 *   threw, or its process died), or one `eraseUsersDeletedAfter` makes due.
 */
export const ErasureReason = {
  UserDeleted: 'user-deleted',
  Orphan: 'orphan',
  Pending: 'pending',
} as const;

/** Why a user's erasure runs. */
export type ErasureReason = (typeof ErasureReason)[keyof typeof ErasureReason];

/**
 * What a deletion did about the user's erasure.
 * - `erased`: `onUserDeleted` ran now and completed; `erasedAt` is recorded.
 * - `skipped`: it completed before (`erasedAt`), or another delivery holds the claim and runs it.
 */
export const ErasureOutcome = {
  Erased: 'erased',
  Skipped: 'skipped',
} as const;

/** What a deletion did about the user's erasure. */
export type ErasureOutcome = (typeof ErasureOutcome)[keyof typeof ErasureOutcome];

/** What `onUserDeleted` is told besides the row. */
export interface UserDeletedContext {
  /** The deleted user's `sub`. */
  readonly sub: string;
  /** The pool the handler or reconcile works for. */
  readonly userPoolId: string;
  /** Why it runs now. */
  readonly reason: ErasureReason;
  /** The row's `deletedAt` (ISO 8601): the deletion's CloudTrail time, or when reconcile found the orphan. */
  readonly deletedAt: string | undefined;
  /** Aborted when the invocation's deadline passes (or the reconcile run stops); pass it to SDK calls and `fetch`. */
  readonly signal: AbortSignal;
}

/**
 * A team's erasure work for a deleted user: objects under an S3 prefix, rows in other tables
 * ({@link eraseFromTables}), a CRM call. It runs at least once per deleted user and never
 * again once it completed: resolving records `erasedAt` on the row (or tombstone); rejecting
 * (with anything) leaves it due, and the next delivery or reconcile runs it again. It may run
 * more than once (a completion that could not be recorded, a process that died), so make it
 * idempotent.
 *
 * @example
 * ```ts
 * const onUserDeleted: UserDeletedHandler = async (row, { sub, signal }) => {
 *   await s3.send(new DeleteObjectCommand({ Bucket: 'avatars', Key: `${sub}.png` }), { abortSignal: signal });
 * };
 * ```
 */
export type UserDeletedHandler = (row: Profile, context: UserDeletedContext) => Promise<unknown>;

/** Added to the time an erasure may take: a claim outlives its holder's deadline by this much. */
const LEASE_SLACK_MS = 30_000;
/**
 * The row's erasure bookkeeping (`ErasureAttribute`), which `onUserDeleted` is not shown.
 * Literal names: a module-level property read is kept by bundlers in handlers that never erase.
 */
const BOOKKEEPING: ReadonlySet<string> = new Set(['erasureClaimId', 'erasureClaimExpiresAt', 'erasureFailedAt', 'tombstoneAfterErasure']);

/** The `onUserDeleted` option, checked. @internal */
export function checkUserDeletedHandler(value: unknown): UserDeletedHandler | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigurationError('onUserDeleted', 'must be a function (row, context) => Promise');
  }
  return value as UserDeletedHandler | undefined;
}

/** Where and how one user's erasure runs. @internal */
export interface ErasureTask {
  readonly table: ResolvedTable;
  readonly onUserDeleted: UserDeletedHandler;
  readonly sub: string;
  readonly userPoolId: string;
  readonly reason: ErasureReason;
  readonly deadline: Deadline;
  /** A signal that stops the work besides the deadline (a reconcile run's). */
  readonly signal?: AbortSignal;
}

/** A claim whose lease outlasts what is left of the deadline. */
function newClaim(deadline: Deadline): ErasureClaim {
  return { id: randomUUID(), expiresAt: Date.now() + Math.max(0, deadline.remaining()) + LEASE_SLACK_MS };
}

/**
 * Closes a deleted user's row (marked, or a tombstone after the erasure) and runs their
 * erasure once: the claim rides on the mark, so the common case is one write, the erasure,
 * and one write recording it (which also strips the row when `tombstone`). A row whose
 * erasure is done or under way elsewhere is only marked (and stripped, if erased), as
 * without `onUserDeleted`. `existingOnly` (reconcile's orphans) never creates a row.
 *
 * @internal
 */
export async function deleteAndErase(
  task: ErasureTask,
  deletion: Deletion,
  options: { readonly tombstone: boolean; readonly existingOnly: boolean },
): Promise<ErasureOutcome> {
  const { table, sub, deadline } = task;
  const claim = newClaim(deadline);
  const row = await deadline.run('markDeleted', (signal) =>
    markDeletedClaimingErasure(table, sub, deletion, claim, { existingOnly: options.existingOnly, tombstoneAfter: options.tombstone }, signal),
  );
  if (row !== undefined) {
    await runErasure(task, claim, row, options.tombstone);
    return ErasureOutcome.Erased;
  }
  if (options.existingOnly) return ErasureOutcome.Skipped;
  const current = await deadline.run('markDeleted', (signal) => markProfileDeleted(table, sub, deletion, signal));
  // A row whose erasure is under way keeps its fields until the erasure is recorded: its
  // holder strips it then, and a failed erasure's retry is given the same last row.
  if (options.tombstone && current[ErasureAttribute.ErasedAt] !== undefined) {
    await deadline.run('tombstoneProfile', (signal) => stripToTombstone(table, sub, current, signal));
  }
  return ErasureOutcome.Skipped;
}

/**
 * Runs the erasure of a row already marked deleted whose erasure is not recorded (reconcile
 * finishing it), if no other delivery holds its claim.
 *
 * @internal
 */
export async function finishErasure(task: ErasureTask): Promise<ErasureOutcome> {
  const claim = newClaim(task.deadline);
  const row = await task.deadline.run('claimErasure', (signal) => claimErasure(task.table, task.sub, claim, signal));
  if (row === undefined) return ErasureOutcome.Skipped;
  await runErasure(task, claim, row, false);
  return ErasureOutcome.Erased;
}

/**
 * Runs `onUserDeleted` holding `claim`, then records it. A failure, a timeout or a record
 * that could not be written gives the claim up (so the next delivery runs it at once) and
 * rejects with `ErasureError`.
 */
async function runErasure(task: ErasureTask, claim: ErasureClaim, row: Profile, tombstone: boolean): Promise<void> {
  const { table, sub, deadline } = task;
  const release = () =>
    deadline
      .run('releaseErasureClaim', (signal) => releaseErasureClaim(table, sub, claim.id, new Date().toISOString(), signal))
      .catch(() => undefined); // the lease ends it later
  const given = Object.fromEntries(Object.entries(row).filter(([name]) => !BOOKKEEPING.has(name)));
  const context = { sub, userPoolId: task.userPoolId, reason: task.reason, deletedAt: typeof row.deletedAt === 'string' ? row.deletedAt : undefined };
  const stop = new AbortController();
  const follow = () => stop.abort(task.signal?.reason);
  if (task.signal?.aborted) follow();
  else task.signal?.addEventListener('abort', follow, { once: true });
  try {
    // Time is kept back for the write that records it (or gives the claim up).
    await deadline.run(
      'onUserDeleted',
      (signal) => {
        signal.addEventListener('abort', () => stop.abort(signal.reason), { once: true });
        return task.onUserDeleted(given, { ...context, signal: stop.signal });
      },
      recordReserve(deadline),
    );
  } catch (thrown) {
    await release();
    const error = rejectionError(thrown, (kind) => new ErasureError(sub, `rejected with ${kind}, not an Error`));
    if (isErasureError(error)) throw error;
    throw new ErasureError(sub, isDeadlineExceededError(error) ? 'did not finish within the deadline' : `failed: ${errorName(error)}`, { cause: error });
  } finally {
    task.signal?.removeEventListener('abort', follow);
  }
  const strip = tombstone || row[ErasureAttribute.TombstoneAfter] === true ? nonTombstoneFields(table, row) : [];
  let recorded: Profile | undefined;
  try {
    recorded = await deadline.run('recordErasure', (signal) => recordErasure(table, sub, new Date().toISOString(), strip, signal));
  } catch (error) {
    await release();
    throw new ErasureError(sub, 'completed but could not be recorded, so it will run again', { cause: error });
  }
  // A writer that does not check `deletedAt` may have added fields since the row was read. If
  // this fails, the erasure stands; a redelivery finds `erasedAt` and strips the row.
  if (recorded !== undefined && strip.length > 0) await deadline.run('tombstoneProfile', (signal) => stripToTombstone(table, sub, recorded, signal));
}

function recordReserve(deadline: Deadline): number {
  return Math.min(1000, Math.floor(deadline.remaining() / 4));
}

