import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';

/** Cognito user attributes as a trigger event carries them: names to string values. */
export type UserAttributes = Readonly<Record<string, string>>;

/** A profile row as the library writes it to DynamoDB. */
export type Profile = Record<string, unknown>;

/**
 * The facts every mapper gets besides the attributes: who the user is, which pool, and
 * when the sync runs.
 */
export interface MappingContext {
  /** The user's `sub`, the row's partition key value. */
  readonly sub: string;
  /** Cognito's `userName` for the user (the `sub` when email is the username attribute). */
  readonly userName: string;
  /** The pool id from the event. */
  readonly userPoolId: string;
  /** The trigger source of the event that is being synced. */
  readonly triggerSource: string;
  /** ISO 8601 time of this sync; the default mapping uses it for `createdAt`/`updatedAt`. */
  readonly now: string;
}

/**
 * Turns Cognito user attributes into the fields of a profile row.
 *
 * @example
 * ```ts
 * const mapAttributes: AttributeMapper = (attributes, context) => ({
 *   ...defaultProfile(attributes, context),
 *   plan: attributes['custom:plan'] ?? 'free',
 * });
 * ```
 */
export type AttributeMapper = (attributes: UserAttributes, context: MappingContext) => Profile;

/** One structured log line of the library: a `message` and fields without personal data. */
export interface LogRecord {
  readonly message: string;
  readonly [field: string]: unknown;
}

/**
 * Any logger with `info`, `warn` and `error`, as it is: `console`, Powertools Logger, pino.
 * The library calls each with one {@link LogRecord}.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger';
 * createPostConfirmationHandler({ table: 'profiles', logger: new Logger({ serviceName: 'members' }) });
 * ```
 */
export interface Logger {
  info(record: LogRecord): void;
  warn(record: LogRecord): void;
  error(record: LogRecord): void;
}

/**
 * A Lambda handler for a trigger in async form. Cognito trigger handlers return the event
 * (with any `response` fields set).
 */
export type TriggerHandler<TEvent = PostConfirmationTriggerEvent> = (
  event: TEvent,
  context: Context,
) => Promise<TEvent>;

/**
 * A handler as teams write them: async, or in the older callback style.
 */
export type AnyTriggerHandler<TEvent = PostConfirmationTriggerEvent> = (
  event: TEvent,
  context: Context,
  callback: (error?: unknown, result?: TEvent) => void,
) => Promise<TEvent | void> | TEvent | void;

/** The validated facts of a trigger event about its user. @internal */
export interface TriggerUser {
  readonly sub: string;
  readonly userName: string;
  readonly userPoolId: string;
  readonly triggerSource: string;
  readonly attributes: UserAttributes;
}
