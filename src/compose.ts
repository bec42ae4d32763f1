import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { SyncOutcome } from './constants.js';
import { ConfigurationError, WelcomeError } from './errors.js';
import { checkChoice } from './options.js';
import { BARE_FUNCTIONS, createPostConfirmationHandler, createSyncCore, type ProfileSyncOptions } from './postConfirmation.js';
import { toAsyncHandler } from './toAsyncHandler.js';
import type { AnyTriggerHandler, TriggerHandler } from './types.js';
import { welcomeStep } from './welcome/once.js';
import type { WelcomeStep } from './welcome/step.js';

/**
 * A step wraps the handler after it: it gets `next` and returns a handler that may act
 * before and after calling it.
 *
 * @example
 * ```ts
 * const timing: Step = (next) => async (event, context) => {
 *   const result = await next(event, context);
 *   metrics.add('confirmed', 1);
 *   return result;
 * };
 * ```
 */
export type Step<TEvent = PostConfirmationTriggerEvent> = (next: TriggerHandler<TEvent>) => TriggerHandler<TEvent>;

/**
 * Chains steps around a handler: `compose(a, b, c)(handler)` runs `a`, then `b`, then `c`,
 * then `handler`. Handlers in callback style are accepted.
 *
 * @example
 * ```ts
 * export const handler = compose(profileSync({ table: 'profiles' }), timing)(existingHandler);
 * ```
 */
export function compose<TEvent = PostConfirmationTriggerEvent>(
  ...steps: Step<TEvent>[]
): (handler: AnyTriggerHandler<TEvent>) => TriggerHandler<TEvent> {
  steps.forEach((step, index) => {
    if (typeof step !== 'function') throw new ConfigurationError(`compose[${index}]`, 'must be a step function');
  });
  return (handler) => steps.reduceRight<TriggerHandler<TEvent>>((next, step) => step(next), toAsyncHandler(handler));
}

/**
 * When the handler after the profile step runs.
 * - `always`: on every invocation, forgot-password and retries included (as without the library).
 * - `unless-skipped`: not for the skipped trigger sources (forgot-password by default).
 */
export type RunNext = 'always' | 'unless-skipped';

/** Options of the {@link profileSync} step. */
export interface ProfileSyncStepOptions extends ProfileSyncOptions {
  /**
   * When the handler after this step runs.
   * @default 'always'
   */
  runNext?: RunNext;
}

/**
 * The PostConfirmation profile sync as a step: creates the row (and runs the welcome once)
 * before the handler after it.
 *
 * @example
 * ```ts
 * export const handler = compose(profileSync({ table: process.env.DDB_TABLE! }))(existingHandler);
 * ```
 */
export function profileSync(options: ProfileSyncStepOptions): Step {
  const runNext = checkRunNext(options?.runNext);
  const sync = createSyncCore(options, BARE_FUNCTIONS);
  return (next) => async (event, context) => {
    const result = await sync(event, context);
    if (result.outcome === SyncOutcome.Skipped && runNext === 'unless-skipped') return event;
    return next(event, context);
  };
}

/** The `runNext` option, shared with the Middy middleware. @internal */
export function checkRunNext(runNext: unknown): RunNext {
  return checkChoice<RunNext>(runNext, 'runNext', ['always', 'unless-skipped'], 'always');
}

/**
 * Makes an existing PostConfirmation handler the once-only welcome step: it runs with the
 * trigger's event, at most once per user, and again on a later delivery (or, given the same
 * step, by reconcile, with a confirmation built from the user's attributes) if it failed:
 * threw, rejected (with any value, `undefined` included) or called back with an error.
 *
 * @example
 * ```ts
 * createPostConfirmationHandler({ table: 'profiles', onWelcome: asWelcome(day10Handler) });
 * ```
 */
export function asWelcome(handler: AnyTriggerHandler): WelcomeStep {
  if (typeof handler !== 'function') throw new ConfigurationError('asWelcome', 'needs a handler function');
  const run = toAsyncHandler(handler, (kind) => new WelcomeError(`The welcome handler failed with ${kind}, not an Error`));
  return welcomeStep(async (_profile, { event, lambdaContext }) => {
    if (!event) throw new WelcomeError('this welcome step wraps a trigger handler and needs the trigger event');
    await run(event, lambdaContext ?? ({} as never));
  });
}

/**
 * How the wrapped handler runs under {@link withProfileSync}.
 * - `always`: every invocation, exactly as before (its failures fail the trigger).
 * - `unless-skipped`: not on the skipped sources (forgot-password by default).
 * - `as-welcome`: as the once-only welcome step: at most once per user, retried on a later
 *   delivery if it threw, and its failures never fail the confirmation.
 */
export type RunExisting = RunNext | 'as-welcome';

/** Options of {@link withProfileSync}. */
export interface WithProfileSyncOptions extends ProfileSyncOptions {
  /**
   * How the wrapped handler runs.
   * @default 'always'
   */
  runExisting?: RunExisting;
}

/**
 * Adds the profile sync to an existing PostConfirmation handler in one line.
 *
 * @example
 * ```ts
 * export const handler = withProfileSync({ table: process.env.DDB_TABLE!, runExisting: 'as-welcome' })(day10Handler);
 * ```
 */
export function withProfileSync(
  options: WithProfileSyncOptions,
): (existing: AnyTriggerHandler) => TriggerHandler<PostConfirmationTriggerEvent> {
  const runExisting = checkChoice<RunExisting>(
    options?.runExisting,
    'runExisting',
    ['always', 'unless-skipped', 'as-welcome'],
    'always',
  );
  if (runExisting !== 'as-welcome') {
    const step = profileSync({ ...options, runNext: runExisting });
    return (existing) => compose(step)(existing);
  }
  if (options.onWelcome !== undefined) {
    throw new ConfigurationError('onWelcome', "cannot be combined with runExisting: 'as-welcome' (one welcome per user)");
  }
  return (existing) => createPostConfirmationHandler({ ...options, onWelcome: asWelcome(existing) });
}
