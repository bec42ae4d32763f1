import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { WelcomeAttribute, WelcomeDelivery, WelcomeOutcome } from '../constants.js';
import type { Deadline } from '../deadline.js';
import { isDeadlineExceededError, WelcomeError } from '../errors.js';
import { claimWelcome, markWelcomeSent, releaseWelcomeClaim, type WelcomeClaim } from '../store/profileStore.js';
import type { ResolvedTable } from '../store/table.js';
import { rejectionError } from '../toAsyncHandler.js';
import type { Profile, UserAttributes } from '../types.js';

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
  /** Runs the welcome at most once for the user, holding the claim the create took or taking one. */
  run(request: WelcomeRequest): Promise<WelcomeRun>;
}

/** The once-only welcome for one table and sender. @internal */
export interface WelcomeOnce {
  /** Starts a delivery's attempt, with a fresh claim. */
  begin(now?: number): WelcomeAttempt;
}

/**
 * The once-only protocol on the profile row: hold the claim (taken by the create, or taken
 * here), run the welcome, then mark it sent. A welcome that throws gives its claim up at once
 * (failed) so the next delivery can retry. One that runs out of time keeps its claim until
 * the lease ends (then unknown): the mail may have gone out, and a second one sent straight
 * away would be the duplicate this protocol exists to prevent. `delivery` says whether an
 * unknown welcome is ever taken over.
 *
 * @internal
 */
export function welcomeOnce(options: {
  table: ResolvedTable;
  sender: WelcomeSender;
  leaseMs: number;
  delivery: WelcomeDelivery;
}): WelcomeOnce {
  const { table, sender, leaseMs } = options;
  const takeOverUnknown = options.delivery === WelcomeDelivery.AtLeastOnce;
  return {
    begin(now = Date.now()) {
      const claim: WelcomeClaim = { id: randomUUID(), expiresAt: now + leaseMs };
      return { claim, run: (request) => runOnce(claim, request) };
    },
  };

  async function runOnce(claim: WelcomeClaim, request: WelcomeRequest): Promise<WelcomeRun> {
    const { sub, deadline } = request;
    if (!request.rowCreated && !request.claimTaken) {
      const claimed = await deadline.run('claimWelcome', (signal) =>
        claimWelcome(table, sub, claim, Date.now(), takeOverUnknown, signal),
      );
      if (!claimed) return { outcome: WelcomeOutcome.Skipped };
    }

    try {
      await deadline.run(
        'welcome',
        async (signal) => sender(request.profile, { ...request.context, signal }),
        markReserve(deadline),
      );
    } catch (thrown) {
      // A rejection is a failure whatever its reason, `undefined` included.
      const error = rejectionError(thrown, (kind) => new WelcomeError(`The welcome step rejected with ${kind}, not an Error`));
      if (!isDeadlineExceededError(error)) {
        await deadline
          .run('releaseWelcomeClaim', (signal) => releaseWelcomeClaim(table, sub, claim.id, new Date().toISOString(), signal))
          .catch(() => undefined); // the lease ends it later (unknown: the send did fail, but nothing says so)
      }
      return { outcome: WelcomeOutcome.Failed, error };
    }

    try {
      await deadline.run('markWelcomeSent', (signal) => markWelcomeSent(table, sub, new Date().toISOString(), signal));
      return { outcome: WelcomeOutcome.Sent };
    } catch (error) {
      return { outcome: WelcomeOutcome.Sent, error };
    }
  }
}

/**
 * Time kept back from the send for recording its completion: a sender that honours its
 * signal finishes with at least this long left to write the sent marker, instead of leaving
 * a mail sent but unrecorded (unknown).
 */
function markReserve(deadline: Deadline): number {
  return Math.min(300, Math.floor(deadline.remaining() / 4));
}

/**
 * Where a row's welcome stands: `none` (no welcome state: a row backfilled, or made by a
 * sign-in or a handler with no welcome), `claimed` (a delivery holds a live lease), `failed`
 * (the sender threw and the claim was given up), `unknown` (a lease ran out with no sent
 * marker: the mail may have gone out) or `sent`.
 *
 * @internal
 */
export type WelcomeState = 'none' | 'claimed' | 'failed' | 'unknown' | 'sent';

/** @internal */
export function welcomeState(row: Profile, nowMs: number): WelcomeState {
  if (row[WelcomeAttribute.SentAt] !== undefined) return 'sent';
  const expiresAt = row[WelcomeAttribute.ClaimExpiresAt];
  if (expiresAt !== undefined) return typeof expiresAt === 'number' && expiresAt >= nowMs ? 'claimed' : 'unknown';
  return row[WelcomeAttribute.FailedAt] !== undefined ? 'failed' : 'none';
}

/**
 * What reconcile does with a row's welcome. Cognito does not redeliver a confirmation that
 * succeeded, so a welcome the trigger did not finish is reconcile's to send: a failed one
 * always, an unknown one only `'at-least-once'` (`'at-most-once'` reports it instead), and
 * one with no welcome state when the user is newer than `welcomeUsersCreatedAfter` (`isNewUser`):
 * the confirmation's write failed and a sign-in made the row. A live claim is left to its delivery.
 *
 * @internal
 */
export function reconcileAction(state: WelcomeState, delivery: WelcomeDelivery, isNewUser: boolean): 'send' | 'report' | undefined {
  switch (state) {
    case 'failed':
      return 'send';
    case 'unknown':
      return delivery === WelcomeDelivery.AtLeastOnce ? 'send' : 'report';
    case 'none':
      return isNewUser ? 'send' : undefined;
    default:
      return undefined;
  }
}
