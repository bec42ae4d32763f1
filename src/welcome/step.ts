import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import type { WelcomeDelivery, WelcomeOutcome } from '../constants.js';
import type { Deadline } from '../deadline.js';
import { adopted, ConfigurationError } from '../errors.js';
import type { WelcomeClaim } from '../store/profileStore.js';
import type { ResolvedTable } from '../store/table.js';
import type { ProfileAttributes } from '../store/profileItem.js';
import type { Profile, TriggerUser, UserAttributes } from '../types.js';

/*
 * What a welcome step is. A step carries the once-only protocol that runs it (welcome/once.ts),
 * so the handlers reach the protocol only through a step they were given: a handler with no
 * welcome bundles none of it. This module is all a handler needs to take a step.
 */

/** What a welcome step is told besides the profile. */
export interface WelcomeContext {
  /** The user's `sub`. */
  readonly sub: string;
  /** The user's Cognito attributes. */
  readonly attributes: UserAttributes;
  /** Aborted when the handler's deadline passes; pass it to SDK calls and `fetch`. */
  readonly signal: AbortSignal;
  /**
   * The trigger event. In reconcile, a `PostConfirmation_ConfirmSignUp` event built from the
   * user's current attributes, and at a sign-in (PreTokenGeneration) one built from the
   * sign-in's pool, user name, app client and attributes, so that a handler made the welcome
   * step with `asWelcome` runs there too.
   */
  readonly event?: PostConfirmationTriggerEvent;
  /** The Lambda context, when there is one. */
  readonly lambdaContext?: Context;
}

/**
 * A welcome step: sends the welcome (or does any once-per-user work). It runs at most once
 * per user (see `welcomeDelivery`); throwing (or rejecting with any value) means "not done",
 * and a later delivery (or reconcile) tries again.
 *
 * @example
 * ```ts
 * const onWelcome: WelcomeSender = async (profile, { signal }) => {
 *   await crm.enroll(profile.userId as string, { signal });
 * };
 * ```
 */
export type WelcomeSender = (profile: Profile, context: WelcomeContext) => Promise<unknown> | unknown;

/** @internal */
export interface WelcomeRun {
  readonly outcome: WelcomeOutcome;
  /** Why the welcome failed, or why its completion could not be recorded. */
  readonly error?: unknown;
}

/** What one delivery tells the protocol about itself. @internal */
export interface WelcomeRequest {
  /** Whether this delivery's create wrote the row, and with it the attempt's claim. */
  readonly rowCreated: boolean;
  /** Whether this delivery's own write took the attempt's claim on a row that may have existed (a sign-in's upsert). */
  readonly claimTaken?: boolean;
  readonly sub: string;
  readonly profile: Profile;
  readonly context: Omit<WelcomeContext, 'signal'>;
  readonly deadline: Deadline;
}

/**
 * One delivery's go at the once-only welcome. Its `claim` rides on the row's create, so the
 * common case (a new row) takes no extra write to claim the welcome.
 *
 * @internal
 */
export interface WelcomeAttempt {
  /** The claim to write with a new row. */
  readonly claim: WelcomeClaim;
  /** The row to create, with the claim's attributes. */
  withClaim(item: ProfileAttributes): ProfileAttributes;
  /** Runs the welcome at most once for the user, holding the claim the create took or taking one. Never rejects. */
  run(request: WelcomeRequest): Promise<WelcomeRun>;
  /** {@link run} after a confirmation's create, told what the create did. Never rejects. */
  afterConfirmation(confirmation: Confirmation): Promise<WelcomeRun>;
}

/** What a PostConfirmation delivery tells its welcome. @internal */
export interface Confirmation {
  /** Whether this delivery's create wrote the row, and with it the claim. */
  readonly rowCreated: boolean;
  readonly user: TriggerUser;
  /** The row as written. */
  readonly item: ProfileAttributes;
  readonly event: PostConfirmationTriggerEvent;
  readonly lambdaContext: Context | undefined;
  readonly deadline: Deadline;
}

/**
 * Where a welcome step keeps the protocol that runs it. A registered symbol, so a step made
 * by the ESM build runs in a handler of the CommonJS build; its version changes with the
 * protocol's interface here, so that another version's step is not taken for one (the root
 * entry wraps it again).
 *
 * @internal
 */
export const welcomeProtocol: unique symbol = Symbol.for('cognito-profile-sync.welcomeProtocol.v1') as never;

/** What a handler tells the protocol about the welcome it runs. @internal */
export interface WelcomeSettings {
  readonly table: ResolvedTable;
  /** The `welcomeLeaseMs` option as given; the protocol checks it. */
  readonly leaseMs: unknown;
  /** The `welcomeDelivery` option as given; the protocol checks it. */
  readonly delivery: unknown;
  /** The option that bounds a send, and its value: a lease must outlast it. */
  readonly sendBudget: { readonly option: string; readonly ms: number };
}

/** The once-only welcome for one table and step, as a handler runs it. @internal */
export interface WelcomeOnce {
  /** The `welcomeDelivery` in force. */
  readonly delivery: WelcomeDelivery;
  /** Starts a delivery's attempt, with a fresh claim. */
  begin(now?: number): WelcomeAttempt;
}

/**
 * A {@link WelcomeSender} that carries the once-only protocol that runs it, and so can be
 * given as `onWelcome` to any entry point. {@link welcomeStep}, {@link sesWelcomeEmail} and
 * `asWelcome` make one. A step is still a function: calling it sends, with no protocol.
 *
 * @example
 * ```ts
 * import { welcomeStep } from 'cognito-profile-sync';
 *
 * const onWelcome = welcomeStep(async (profile, { signal }) => {
 *   await crm.enroll(profile.userId as string, { signal });
 * });
 * ```
 */
export interface WelcomeStep extends WelcomeSender {
  /** @internal */
  readonly [welcomeProtocol]: (step: WelcomeStep, settings: WelcomeSettings) => WelcomeOnce;
}

/** Whether a value is a welcome step. @internal */
export function isWelcomeStep(value: unknown): value is WelcomeStep {
  try {
    return typeof value === 'function' && typeof (value as Partial<WelcomeStep>)[welcomeProtocol] === 'function';
  } catch {
    return false; // a Proxy that throws on reads is no step
  }
}

/**
 * The `onWelcome` option as a step, or `undefined` without one. A bare sender is made a step
 * by `wrapBare` where the handler takes one (all do but the one of
 * `cognito-profile-sync/post-confirmation`, which refuses it, naming the ways to make a step).
 *
 * @internal
 */
export function checkWelcomeStep(value: unknown, wrapBare?: (sender: WelcomeSender) => WelcomeStep): WelcomeStep | undefined {
  if (value === undefined) return undefined;
  if (isWelcomeStep(value)) return value;
  if (typeof value !== 'function') throw new ConfigurationError('onWelcome', 'must be a function (profile, context) => Promise');
  if (wrapBare !== undefined) return wrapBare(value as WelcomeSender);
  throw new ConfigurationError(
    'onWelcome',
    'must be a welcome step: welcomeStep(fn), sesWelcomeEmail(...) or asWelcome(handler) (this entry point takes no bare function)',
  );
}

/** Starts the once-only welcome of a step on a table. @internal */
export function startWelcome(step: WelcomeStep, settings: WelcomeSettings): WelcomeOnce {
  try {
    return step[welcomeProtocol](step, settings);
  } catch (error) {
    throw adopted(error); // a step of another copy of the package checks with that copy's class
  }
}
