import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { PostConfirmationSource, SyncOutcome, WelcomeOutcome } from './constants.js';
import { type DeadlineOptions, startDeadline, validateDeadlineOptions } from './deadline.js';
import { DeadlineExceededError, InvalidProfileError, ProfileWriteError } from './errors.js';
import { idsOfUnknownEvent, type InvocationIds, invocationLog, resolveLogger } from './log.js';
import { checkMapper, checkOptionsObject, checkSourceList, type ProfileTableOptions, type WelcomeDeliveryOption } from './options.js';
import { buildProfileAttributes, type ProfileAttributes } from './store/profileItem.js';
import { createProfileItem } from './store/profileStore.js';
import { resolveTable } from './store/table.js';
import { readTriggerUser } from './triggerEvent.js';
import type { Profile, TriggerHandler, TriggerUser } from './types.js';
import { profileMapper } from './mapping.js';
import type { ProfileMapper } from './store/profileItem.js';
import type { AttributeMapper } from './types.js';
import { welcomeStep } from './welcome/once.js';
import { checkWelcomeStep, startWelcome, type WelcomeRun, type WelcomeSender, type WelcomeStep } from './welcome/step.js';

/** Options of the PostConfirmation profile sync. */
export interface ProfileSyncOptions extends ProfileTableOptions, DeadlineOptions, WelcomeDeliveryOption {
  /**
   * The once-only welcome step, such as {@link sesWelcomeEmail} or {@link welcomeStep}. Runs
   * at most once per user and again on a later delivery (or by reconcile) if it failed. A
   * failure never fails the confirmation. The root entry point also takes a bare function
   * and makes it a step; `cognito-profile-sync/post-confirmation` takes steps only.
   * @default undefined (no welcome)
   */
  onWelcome?: WelcomeSender;
  /**
   * How long a delivery's claim on the welcome lasts when it never finishes (the process
   * died mid-send, or the send timed out); after it the welcome is unknown (see
   * `welcomeDelivery`). Must exceed `deadlineMs`, the longest a send may run. Checked only
   * with `onWelcome`, as is `welcomeDelivery`.
   * @default 60000
   */
  welcomeLeaseMs?: number;
  /**
   * Trigger sources to ignore: no read, no write, no welcome; the event is returned as is.
   * @default ['PostConfirmation_ConfirmForgotPassword']
   */
  skipTriggerSources?: readonly string[];
  /**
   * When the profile cannot be written (a DynamoDB error, the deadline, or a mapper whose
   * output cannot be stored), log it and let the confirmation succeed instead of rejecting.
   * Reconcile heals a missing row later. Invalid events always reject.
   * @default false
   */
  failOpen?: boolean;
}

/** What one PostConfirmation sync did. */
export interface SyncResult {
  /** `created`, `exists` or `skipped`; `failed` only with `failOpen`. */
  readonly outcome: SyncOutcome;
  /** What the welcome step did. */
  readonly welcome: WelcomeOutcome;
  /** The row as mapped from this event (not re-read when it existed). */
  readonly profile?: Profile;
}

/** The sync as a plain function of an event. @internal */
export type SyncCore = (event: PostConfirmationTriggerEvent, context: Context | undefined) => Promise<SyncResult>;

const defaultSkippedSources: readonly PostConfirmationSource[] = ['PostConfirmation_ConfirmForgotPassword'];

const LOG_MESSAGE = 'cognito-profile-sync PostConfirmation';

/**
 * How an entry point that takes bare functions makes them a welcome step and a mapper. The
 * root entry's handlers pass {@link BARE_FUNCTIONS}; the per-handler entry point passes none,
 * and so bundles neither the welcome protocol nor the mapper's full check.
 *
 * @internal
 */
export interface BareFunctions {
  readonly welcome: (sender: WelcomeSender) => WelcomeStep;
  readonly mapper: (mapper: AttributeMapper) => ProfileMapper;
}

/** @internal */
export const BARE_FUNCTIONS: BareFunctions = { welcome: welcomeStep, mapper: profileMapper };

/**
 * Builds the PostConfirmation sync: guard, create the row, welcome once, one log line.
 * Options are checked here, once, so a misconfigured function fails at cold start. The
 * handler, the `profileSync` step, `withProfileSync` and the Middy middleware are all
 * front ends of this one core. `bare` makes bare `onWelcome` and `mapAttributes` functions a
 * step and a mapper; without it, only steps and mappers are taken.
 *
 * @internal
 */
export function createSyncCore(options: ProfileSyncOptions, bare?: BareFunctions): SyncCore {
  checkOptionsObject(options, ' with at least `table`');
  const mapAttributes = checkMapper(options.mapAttributes, bare?.mapper);
  const onWelcome = checkWelcomeStep(options.onWelcome, bare?.welcome);
  const skipTriggerSources = checkSourceList(options.skipTriggerSources ?? defaultSkippedSources, 'skipTriggerSources');
  const deadlineOptions = validateDeadlineOptions(options);
  const table = resolveTable(options.table);
  const { failOpen = false, logPersonalData = false } = options;
  const logger = resolveLogger(options.logger);
  // A send runs at most until the deadline; the lease must outlast it.
  const sendBudget = { option: 'deadlineMs', ms: deadlineOptions.deadlineMs };
  const welcome = onWelcome && startWelcome(onWelcome, { table, leaseMs: options.welcomeLeaseMs, delivery: options.welcomeDelivery, sendBudget });

  return async function syncProfile(event, context) {
    const startedAt = Date.now();
    const log = invocationLog(logger, LOG_MESSAGE, logPersonalData, startedAt);
    const failed = (ids: InvocationIds, error: unknown) =>
      log.write('error', ids, { outcome: 'failed', welcome: 'off', error: log.describeError(error) });

    let user: TriggerUser | undefined;
    let item: ProfileAttributes;
    try {
      user = readTriggerUser(event);
      if (skipTriggerSources.has(user.triggerSource)) {
        log.write('info', user, { outcome: 'skipped', welcome: 'off' });
        return { outcome: 'skipped', welcome: 'off' };
      }
      item = buildProfileAttributes(user, mapAttributes, { ...user, now: new Date(startedAt).toISOString() }, table.partitionKey);
    } catch (error) {
      failed(user ?? idsOfUnknownEvent(event), error);
      if (failOpen && error instanceof InvalidProfileError) return { outcome: 'failed', welcome: 'off' };
      throw error;
    }
    // The row, as plain data read back from what was written, is only made when asked for,
    // and is not enumerable: a result logged or serialized shows no personal data.
    const result = (outcome: SyncOutcome, welcome: WelcomeOutcome): SyncResult =>
      Object.defineProperty({ outcome, welcome }, 'profile', { get: (): Profile => unmarshall(item) });

    const deadline = startDeadline(context, deadlineOptions);
    const attempt = welcome?.begin();
    let outcome: 'created' | 'exists';
    try {
      // The library's own client ends its requests by its timeouts: no signal, no listeners.
      const create = (signal?: AbortSignal) => createProfileItem(table, attempt ? attempt.withClaim(item) : item, signal);
      outcome = await (table.boundedRequests ? deadline.race('createProfile', create) : deadline.run('createProfile', create));
    } catch (error) {
      failed(user, error);
      if (failOpen && (error instanceof ProfileWriteError || error instanceof DeadlineExceededError)) return result('failed', 'off');
      throw error;
    }

    const welcomeRun: WelcomeRun = attempt
      ? await attempt.afterConfirmation({ rowCreated: outcome === 'created', user, item, event, lambdaContext: context, deadline })
      : { outcome: 'off' };

    const { error } = welcomeRun;
    log.write(error === undefined ? 'info' : 'warn', user, {
      outcome,
      welcome: welcomeRun.outcome,
      ...(error !== undefined && { welcomeError: log.describeError(error) }),
    });
    return result(outcome, welcomeRun.outcome);
  };
}

/**
 * A complete PostConfirmation Lambda handler: skips forgot-password, creates the profile
 * row with a conditional write, runs the welcome once, works to a deadline, and logs one
 * line without personal data. Returns the event to Cognito. `onWelcome` may be a bare
 * function: it is made a {@link welcomeStep}.
 *
 * @example
 * ```ts
 * import { createPostConfirmationHandler, sesWelcomeEmail } from 'cognito-profile-sync';
 *
 * export const handler = createPostConfirmationHandler({
 *   table: process.env.DDB_TABLE!,
 *   onWelcome: sesWelcomeEmail({ source: process.env.SOURCE_EMAIL!, subject: 'Welcome!', text: 'Hi {{name}}' }),
 * });
 * ```
 */
export function createPostConfirmationHandler(options: ProfileSyncOptions): TriggerHandler<PostConfirmationTriggerEvent> {
  return handlerOf(createSyncCore(options, BARE_FUNCTIONS));
}

/**
 * The PostConfirmation handler of `cognito-profile-sync/post-confirmation`: the same handler,
 * taking only a welcome step as `onWelcome` (`welcomeStep(fn)`, `sesWelcomeEmail(...)` or
 * `asWelcome(handler)`; a bare function is refused with a `ConfigurationError`), so that
 * one without a welcome bundles none of the once-only protocol.
 *
 * @example
 * ```ts
 * import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';
 *
 * export const handler = createPostConfirmationHandler({ table: process.env.DDB_TABLE! });
 * ```
 */
export function createStepPostConfirmationHandler(
  options: ProfileSyncOptions & { readonly onWelcome?: WelcomeStep; readonly mapAttributes?: ProfileMapper },
): TriggerHandler<PostConfirmationTriggerEvent> {
  return handlerOf(createSyncCore(options));
}

function handlerOf(sync: SyncCore): TriggerHandler<PostConfirmationTriggerEvent> {
  return (event, context) => sync(event, context).then(() => event);
}
