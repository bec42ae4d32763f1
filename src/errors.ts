import type { ReconcileReport } from './reconcile/report.js';

/**
 * The library's error family. Every error it throws on purpose is a `ProfileSyncError`;
 * the guards below also recognise errors from another copy of the package (a bundle and
 * a layer, say), where `instanceof` would not.
 */

const BRAND = Symbol.for('cognito-profile-sync.error');

/**
 * Base class of every error the library throws on purpose.
 *
 * @example
 * ```ts
 * try { await handler(event, context); } catch (error) {
 *   if (isProfileSyncError(error)) logger.error({ message: error.name });
 * }
 * ```
 */
export class ProfileSyncError extends Error {
  /** @internal */
  readonly [BRAND] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProfileSyncError';
  }
}

/**
 * An option given to a factory is missing or wrong. Thrown when the factory runs (at cold
 * start), never at the first user's sign-up.
 */
export class ConfigurationError extends ProfileSyncError {
  // A field, as in each class below: set right after the base constructor, as `this.name =` was.
  override name = 'ConfigurationError';

  /** The option at fault, as a path such as `table.partitionKey`. */
  declare readonly option: string;

  constructor(option: string, problem: string) {
    super(`Invalid option \`${option}\`: ${problem}`);
    this.option = option;
  }
}

/**
 * The trigger event is not one the handler can work with: null, a missing or mistyped
 * field. The message names the field; it never quotes the field's value.
 */
export class InvalidEventError extends ProfileSyncError {
  override name = 'InvalidEventError';

  /** Path of the offending field, such as `request.userAttributes.sub`. */
  declare readonly field: string;

  constructor(field: string, problem: string) {
    super(`Invalid trigger event: \`${field}\` ${problem}`);
    this.field = field;
  }
}

/**
 * The profile a mapper produced cannot be stored: the mapper threw, returned something
 * other than a plain object, used a value DynamoDB cannot hold, or the item would exceed
 * DynamoDB's 400 KB limit. Nothing was written.
 */
export class InvalidProfileError extends ProfileSyncError {
  override name = 'InvalidProfileError';

  /** Path of the offending profile field, or `profile` for the whole item. */
  declare readonly field: string;

  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`Invalid profile: \`${field}\` ${problem}`, options);
    this.field = field;
  }
}

/**
 * A token claim could not be made from the profile: the claim function threw, or it gave a
 * value a token cannot carry (a function, a symbol, a number that is not finite, binary
 * data, an object with a cycle). Thrown after the profile was synced, with the event left
 * untouched; with `failOpen` (the default) the sign-in goes on without the claims.
 */
export class ClaimError extends ProfileSyncError {
  override name = 'ClaimError';

  /** The claim at fault, as its option path: `claims.plan` or `accessTokenClaims.tier`. */
  declare readonly claim: string;

  constructor(claim: string, problem: string, options?: { cause?: unknown }) {
    super(`Claim \`${claim}\` ${problem}`, options);
    this.claim = claim;
  }
}

/**
 * A DynamoDB call failed for a reason other than the expected conditional-check failure
 * (throttling past retries, access denied, a missing table). `cause` holds the SDK error.
 */
export class ProfileWriteError extends ProfileSyncError {
  override name = 'ProfileWriteError';

  /** The table the write went to. */
  declare readonly table: string;
  /** The library step that failed, such as `createProfile`. */
  declare readonly operation: string;

  constructor(operation: string, table: string, cause: unknown) {
    super(`${operation} on table "${table}" failed: ${errorName(cause)}`, { cause });
    this.table = table;
    this.operation = operation;
  }
}

/** A read of the profile table failed (reconcile's batch reads and scans). */
export class ProfileReadError extends ProfileSyncError {
  override name = 'ProfileReadError';

  /** The table the read went to. */
  declare readonly table: string;
  /** The library step that failed, such as `batchGetProfiles`. */
  declare readonly operation: string;

  constructor(operation: string, table: string, cause: unknown) {
    super(`${operation} on table "${table}" failed: ${errorName(cause)}`, { cause });
    this.table = table;
    this.operation = operation;
  }
}

/**
 * The handler's deadline passed before a step finished. The step was aborted so that the
 * handler settles before Cognito (about 5 s) or Lambda gives up on it.
 */
export class DeadlineExceededError extends ProfileSyncError {
  override name = 'DeadlineExceededError';

  /** The step that was running, such as `createProfile`. */
  declare readonly operation: string;
  /** The deadline the invocation worked to, in milliseconds from its start. */
  declare readonly budgetMs: number;

  constructor(operation: string, budgetMs: number) {
    super(`${operation} did not finish within the ${budgetMs} ms deadline`);
    this.operation = operation;
    this.budgetMs = budgetMs;
  }
}

/**
 * Reading users from Cognito failed (throttling past retries, access denied). `cause` holds
 * the SDK error.
 */
export class CognitoReadError extends ProfileSyncError {
  override name = 'CognitoReadError';

  /** The Cognito operation, such as `ListUsers`. */
  declare readonly operation: string;

  constructor(operation: string, cause: unknown) {
    super(`Cognito ${operation} failed: ${errorName(cause)}`, { cause });
    this.operation = operation;
  }
}

/**
 * A reconcile run could not go on: `ListUsers` or a batch read kept failing after its
 * retries. `report` holds what the run did, and its `cursor` where a later run continues.
 */
export class ReconcileError extends ProfileSyncError {
  override name = 'ReconcileError';

  /** The report up to the failure; pass `report.cursor` to the next run. */
  declare readonly report: ReconcileReport;

  constructor(report: ReconcileReport, cause: unknown) {
    super(`reconcile stopped after ${report.scanned} users: ${errorName(cause)}`, { cause });
    this.report = report;
  }
}

/**
 * The welcome step could not send: no recipient, a header field with a line break, or the
 * sender failed (`cause`). Never thrown out of a handler: a failed welcome is logged and
 * retried on a later delivery or by reconcile.
 */
export class WelcomeError extends ProfileSyncError {
  override name = 'WelcomeError';
}

/**
 * A deleted user's erasure (`onUserDeleted`) did not complete: it threw (`cause`), ran out
 * of time, or the user still exists in the pool. Nothing was recorded, so the next delivery
 * or reconcile runs it again. Thrown out of the admin-change handler (EventBridge retries;
 * the batch handler reports the user's records) and counted by reconcile.
 */
export class ErasureError extends ProfileSyncError {
  override name = 'ErasureError';

  /** The user's `sub`: the only thing about them an error names. */
  readonly sub: string;

  constructor(sub: string, problem: string, options?: { cause?: unknown }) {
    super(`Erasure of user ${sub} ${problem}`, options);
    this.sub = sub;
  }
}

function hasName(error: unknown, name: string): boolean {
  return isProfileSyncError(error) && error.name === name;
}

/** The name (or SDK error code) of an error, never its message: messages can carry personal data. */
export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { name, code } = error as { name?: unknown; code?: unknown };
    if (typeof name === 'string' && name !== 'Error') return name;
    if (typeof code === 'string') return code;
  }
  return error instanceof Error ? error.name : typeof error;
}

/** True for any error the library throws on purpose, from this or another copy of the package. */
export function isProfileSyncError(error: unknown): error is ProfileSyncError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** True for a {@link ConfigurationError}. */
export const isConfigurationError = (error: unknown): error is ConfigurationError =>
  hasName(error, 'ConfigurationError');

/** True for an {@link InvalidEventError}. */
export const isInvalidEventError = (error: unknown): error is InvalidEventError =>
  hasName(error, 'InvalidEventError');

/** True for an {@link InvalidProfileError}. */
export const isInvalidProfileError = (error: unknown): error is InvalidProfileError =>
  hasName(error, 'InvalidProfileError');

/** True for a {@link ClaimError}. */
export const isClaimError = (error: unknown): error is ClaimError => hasName(error, 'ClaimError');

/** True for a {@link ProfileWriteError}. */
export const isProfileWriteError = (error: unknown): error is ProfileWriteError =>
  hasName(error, 'ProfileWriteError');

/** True for a {@link ProfileReadError}. */
export const isProfileReadError = (error: unknown): error is ProfileReadError =>
  hasName(error, 'ProfileReadError');

/** True for a {@link DeadlineExceededError}. */
export const isDeadlineExceededError = (error: unknown): error is DeadlineExceededError =>
  hasName(error, 'DeadlineExceededError');

/** True for a {@link ReconcileError}. */
export const isReconcileError = (error: unknown): error is ReconcileError => hasName(error, 'ReconcileError');

/** True for a {@link WelcomeError}. */
export const isWelcomeError = (error: unknown): error is WelcomeError => hasName(error, 'WelcomeError');

/** True for a {@link CognitoReadError}. */
export const isCognitoReadError = (error: unknown): error is CognitoReadError => hasName(error, 'CognitoReadError');

/** True for an {@link ErasureError}. */
export const isErasureError = (error: unknown): error is ErasureError => hasName(error, 'ErasureError');

/**
 * A `ConfigurationError` or `InvalidProfileError` thrown by another copy of the package (a
 * welcome step or mapper made by the CommonJS build, run by a handler of the ESM build), as
 * this copy's class, so that `instanceof` holds for the handler and its callers. Anything
 * else is returned as it is.
 *
 * @internal
 */
export function adopted(error: unknown): unknown {
  if (error instanceof ProfileSyncError || !isProfileSyncError(error)) return error;
  const problem = error.message.replace(/^Invalid (?:option `[^`]*`:|profile: `[^`]*`) /, '');
  if (isConfigurationError(error)) return new ConfigurationError(error.option, problem);
  if (isInvalidProfileError(error)) return new InvalidProfileError(error.field, problem, { cause: error.cause });
  return error;
}
