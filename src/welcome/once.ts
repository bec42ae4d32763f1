import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { WelcomeAttribute, WelcomeDelivery, WelcomeOutcome } from '../constants.js';
import type { Deadline } from '../deadline.js';
import { ConfigurationError, isDeadlineExceededError, WelcomeError } from '../errors.js';
import { checkWelcomeDelivery, checkWelcomeLease } from '../options.js';
import { claimWelcome, markWelcomeSent, releaseWelcomeClaim, type WelcomeClaim, withWelcomeClaim } from '../store/profileStore.js';
import { rejectionError } from '../toAsyncHandler.js';
import type { Profile } from '../types.js';
import {
  isWelcomeStep,
  type WelcomeContext,
  type WelcomeOnce,
  type WelcomeRequest,
  type WelcomeRun,
  type WelcomeSender,
  type WelcomeSettings,
  type WelcomeStep,
  welcomeProtocol,
} from './step.js';

/**
 * Makes a function the once-only welcome step: given as `onWelcome`, it runs at most once per
 * user (see `welcomeDelivery`), and again on a later delivery (or by reconcile) if it threw or
 * rejected. Every handler does this itself for a bare `onWelcome` function but the one of
 * `cognito-profile-sync/post-confirmation`, which takes only steps, so that a handler without
 * a welcome bundles none of the protocol.
 *
 * @example
 * ```ts
 * import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';
 * import { welcomeStep } from 'cognito-profile-sync/welcome';
 *
 * export const handler = createPostConfirmationHandler({
 *   table: process.env.DDB_TABLE!,
 *   onWelcome: welcomeStep(async (profile, { signal }) => {
 *     await crm.enroll(profile.userId as string, { signal });
 *   }),
 * });
 * ```
 */
export function welcomeStep(sender: WelcomeSender): WelcomeStep {
  if (isWelcomeStep(sender)) return sender;
  if (typeof sender !== 'function') throw new ConfigurationError('welcomeStep', 'needs a function (profile, context) => Promise');
  const step = (profile: Profile, context: WelcomeContext) => sender(profile, context);
  return Object.assign(step, { [welcomeProtocol]: welcomeOnce });
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
export function welcomeOnce(sender: WelcomeSender, settings: WelcomeSettings): WelcomeOnce {
  const { table } = settings;
  const leaseMs = checkWelcomeLease(settings.leaseMs, settings.sendBudget);
  const delivery = checkWelcomeDelivery(settings.delivery);
  const takeOverUnknown = delivery === WelcomeDelivery.AtLeastOnce;
  return {
    delivery,
    begin(now = Date.now()) {
      const claim: WelcomeClaim = { id: randomUUID(), expiresAt: now + leaseMs };
      // A failed claim or release fails the welcome, never the delivery.
      const run = (request: WelcomeRequest) => runOnce(claim, request).catch((error: unknown): WelcomeRun => ({ outcome: WelcomeOutcome.Failed, error }));
      return {
        claim,
        run,
        withClaim: (item) => withWelcomeClaim(item, claim),
        afterConfirmation: ({ rowCreated, user, item, event, lambdaContext, deadline }) =>
          run({
            rowCreated,
            sub: user.sub,
            profile: unmarshall(item),
            context: { sub: user.sub, attributes: user.attributes, event, ...(lambdaContext && { lambdaContext }) },
            deadline,
          }),
      };
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
