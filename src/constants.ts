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
 * A mapper cannot set them.
 */
export const WelcomeAttribute = {
  /** ISO 8601 time the welcome completed; its presence means "never again". */
  SentAt: 'welcomeSentAt',
  /** Random id of the delivery that holds the claim. */
  ClaimId: 'welcomeClaimId',
  /** Epoch milliseconds after which an unfinished claim may be taken over. */
  ClaimExpiresAt: 'welcomeClaimExpiresAt',
} as const;

/** DynamoDB's item size limit, in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** A DynamoDB table name, as the library and the local stack accept it. @internal */
export const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
