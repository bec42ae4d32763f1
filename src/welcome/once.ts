import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { WelcomeAttribute, WelcomeOutcome } from '../constants.js';
import type { Deadline } from '../deadline.js';
import { isDeadlineExceededError } from '../errors.js';
import { claimWelcome, markWelcomeSent, releaseWelcomeClaim, type WelcomeClaim } from '../store/profileStore.js';
import type { ResolvedTable } from '../store/table.js';
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
   * user's current attributes, so that a handler made the welcome step with `asWelcome` runs
   * there too.
   */
  readonly event?: PostConfirmationTriggerEvent;
  /** The Lambda context, when there is one. */
  readonly lambdaContext?: Context;
}

/**
 * A welcome step: sends the welcome (or does any once-per-user work). It runs at most once
 * per user; throwing means "not done", and a later delivery (or reconcile) tries again.
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
export interface WelcomeDelivery {
  /** Whether this delivery's create wrote the row, and with it the attempt's claim. */
  readonly rowCreated: boolean;
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
  run(delivery: WelcomeDelivery): Promise<WelcomeRun>;
}

/** The once-only welcome for one table and sender. @internal */
export interface WelcomeOnce {
  /** Starts a delivery's attempt, with a fresh claim. */
  begin(now?: number): WelcomeAttempt;
}

/**
 * The once-only protocol on the profile row: hold the claim (taken by the create, or taken
 * here), run the welcome, then mark it sent. A welcome that throws releases the claim at
 * once so the next delivery can retry. One that runs out of time keeps its claim until the
 * lease ends: the mail may have gone out, and a second one sent straight away would be the
 * duplicate this protocol exists to prevent.
 *
 * @internal
 */
export function welcomeOnce(options: { table: ResolvedTable; sender: WelcomeSender; leaseMs: number }): WelcomeOnce {
  const { table, sender, leaseMs } = options;
  return {
    begin(now = Date.now()) {
      const claim: WelcomeClaim = { id: randomUUID(), expiresAt: now + leaseMs };
      return { claim, run: (delivery) => runOnce(claim, delivery) };
    },
  };

  async function runOnce(claim: WelcomeClaim, delivery: WelcomeDelivery): Promise<WelcomeRun> {
    const { sub, deadline } = delivery;
    if (!delivery.rowCreated) {
      const claimed = await deadline.run('claimWelcome', (signal) => claimWelcome(table, sub, claim, Date.now(), signal));
      if (!claimed) return { outcome: WelcomeOutcome.Skipped };
    }

    try {
      await deadline.run(
        'welcome',
        async (signal) => sender(delivery.profile, { ...delivery.context, signal }),
        markReserve(deadline),
      );
    } catch (error) {
      if (!isDeadlineExceededError(error)) {
        await deadline
          .run('releaseWelcomeClaim', (signal) => releaseWelcomeClaim(table, sub, claim.id, signal))
          .catch(() => undefined); // the lease frees it later
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

/** Time kept back from the send for recording its completion. */
function markReserve(deadline: Deadline): number {
  return Math.min(300, Math.floor(deadline.remaining() / 4));
}

/**
 * A welcome is due when a delivery claimed it and the claim ran out without a sent marker:
 * the trigger's send failed or never finished, and Cognito will not deliver again. A row
 * with no claim at all was backfilled for a user who signed up before the library (or with
 * no welcome configured) and is not due.
 *
 * @internal
 */
export function welcomeDue(row: Profile, nowMs: number): boolean {
  const expiresAt = row[WelcomeAttribute.ClaimExpiresAt];
  return row[WelcomeAttribute.SentAt] === undefined && typeof expiresAt === 'number' && expiresAt < nowMs;
}
