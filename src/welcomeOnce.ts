import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { WelcomeOutcome } from './constants.js';
import type { Deadline } from './deadline.js';
import { isDeadlineExceededError } from './errors.js';
import { claimWelcome, markWelcomeSent, releaseWelcomeClaim, type WelcomeClaim } from './profileStore.js';
import type { ResolvedTable } from './table.js';
import type { Profile, UserAttributes } from './types.js';

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

/** @internal */
export function newClaim(leaseMs: number, now = Date.now()): WelcomeClaim {
  return { id: randomUUID(), expiresAt: now + leaseMs };
}

/** Time kept back from the send for recording its completion. */
function markReserve(deadline: Deadline): number {
  return Math.min(300, Math.floor(deadline.remaining() / 4));
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
export async function runWelcomeOnce(args: {
  table: ResolvedTable;
  sub: string;
  profile: Profile;
  sender: WelcomeSender;
  context: Omit<WelcomeContext, 'signal'>;
  deadline: Deadline;
  /** The claim the create already took, if it did. */
  heldClaim: WelcomeClaim | undefined;
  leaseMs: number;
}): Promise<WelcomeRun> {
  const { table, sub, deadline } = args;
  let claim = args.heldClaim;
  if (!claim) {
    const candidate = newClaim(args.leaseMs);
    const claimed = await deadline.run('claimWelcome', (signal) =>
      claimWelcome(table, sub, candidate, Date.now(), signal),
    );
    if (!claimed) return { outcome: WelcomeOutcome.Skipped };
    claim = candidate;
  }

  try {
    await deadline.run(
      'welcome',
      async (signal) => args.sender(args.profile, { ...args.context, signal }),
      markReserve(deadline),
    );
  } catch (error) {
    if (!isDeadlineExceededError(error)) {
      const held = claim;
      await deadline
        .run('releaseWelcomeClaim', (signal) => releaseWelcomeClaim(table, sub, held.id, signal))
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
