/**
 * The PostConfirmation trigger sources Cognito sends.
 *
 * @example
 * ```ts
 * if (event.triggerSource === PostConfirmationSource.ConfirmForgotPassword) return event;
 * ```
 */
export const PostConfirmationSource = {
  /** A user confirmed their sign-up (by code, by `AdminConfirmSignUp`, or auto-confirmed). */
  ConfirmSignUp: 'PostConfirmation_ConfirmSignUp',
  /** A user confirmed a new password after `ForgotPassword`: not a new member. */
  ConfirmForgotPassword: 'PostConfirmation_ConfirmForgotPassword',
} as const;

/** A PostConfirmation trigger source. */
export type PostConfirmationSource = (typeof PostConfirmationSource)[keyof typeof PostConfirmationSource];

/**
 * What the profile step did for one invocation.
 *
 * - `created`: the row was written by this invocation.
 * - `exists`: a row with this key was already there (a retry, a duplicate, a row made by
 *   reconcile or another trigger) and was left untouched.
 * - `skipped`: the trigger source is one the handler ignores; nothing was read or written.
 * - `failed`: the row could not be written and `failOpen` let the confirmation go on.
 */
export const SyncOutcome = {
  Created: 'created',
  Exists: 'exists',
  Skipped: 'skipped',
  Failed: 'failed',
} as const;

/** What the profile step did for one invocation. */
export type SyncOutcome = (typeof SyncOutcome)[keyof typeof SyncOutcome];

/**
 * What the welcome step did for one invocation.
 *
 * - `sent`: this invocation held the claim and the welcome completed.
 * - `skipped`: another delivery has sent the welcome or holds the claim right now.
 * - `failed`: the welcome threw or timed out; it runs again on a later delivery or reconcile.
 * - `off`: no welcome step is configured, or the profile step did not reach it.
 */
export const WelcomeOutcome = {
  Sent: 'sent',
  Skipped: 'skipped',
  Failed: 'failed',
  Off: 'off',
} as const;

/** What the welcome step did for one invocation. */
export type WelcomeOutcome = (typeof WelcomeOutcome)[keyof typeof WelcomeOutcome];

/**
 * Attribute names the library keeps on the profile row for the once-only welcome.
 * A mapper cannot set them. Together they hold one of five states: none (none of them),
 * claimed (a claim whose lease runs), failed (`welcomeFailedAt`: the sender threw and gave
 * its claim up), unknown (a claim whose lease ran out: the mail may have gone out) and sent.
 */
export const WelcomeAttribute = {
  /** ISO 8601 time the welcome completed; its presence means "never again". */
  SentAt: 'welcomeSentAt',
  /** Random id of the delivery that holds the claim. */
  ClaimId: 'welcomeClaimId',
  /** Epoch milliseconds when the claim's lease ends; past it, with no sent marker, the welcome is unknown. */
  ClaimExpiresAt: 'welcomeClaimExpiresAt',
  /** ISO 8601 time the sender last threw; the claim was given up, so the welcome is due again. */
  FailedAt: 'welcomeFailedAt',
} as const;

/**
 * What happens to a welcome whose outcome is unknown: a delivery claimed it and the lease ran
 * out with no sent marker (the process died mid-send, the send outlived the deadline, or the
 * sent marker could not be written), so the mail may or may not have gone out.
 *
 * - `at-most-once`: never sent again, by a delivery or by reconcile; reconcile reports it
 *   (`welcomes.unknown`) for an operator to decide. A user may get no welcome; none gets two.
 * - `at-least-once`: sent again by the next delivery or reconcile. Every user gets one; a few
 *   may get two.
 *
 * Either way a welcome whose sender threw (failed) is sent again.
 *
 * @example
 * ```ts
 * createPostConfirmationHandler({ table: 'profiles', onWelcome, welcomeDelivery: WelcomeDelivery.AtLeastOnce });
 * ```
 */
export const WelcomeDelivery = {
  AtMostOnce: 'at-most-once',
  AtLeastOnce: 'at-least-once',
} as const;

/** What happens to a welcome whose outcome is unknown. */
export type WelcomeDelivery = (typeof WelcomeDelivery)[keyof typeof WelcomeDelivery];

/**
 * Attributes of the profile row the library writes besides the key: a mapper cannot set them
 * and the partition key cannot be one of them.
 *
 * @internal
 */
export const LIBRARY_FIELDS: ReadonlySet<string> = new Set(['createdAt', ...Object.values(WelcomeAttribute)]);

/** DynamoDB's item size limit, in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** A DynamoDB table name, as the library and the local stack accept it. @internal */
export const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * The shape of a Cognito `sub`: a UUID in lower-case hex, 8-4-4-4-12. The version digit is
 * not checked: Cognito promises a unique identifier, not a UUID version.
 *
 * @internal
 */
export const COGNITO_SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
