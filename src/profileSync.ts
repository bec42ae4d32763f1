import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { PostConfirmationSource, SyncOutcome, WelcomeOutcome } from './constants.js';
import { type DeadlineOptions, startDeadline, validateDeadlineOptions } from './deadline.js';
import { definedOnly } from './definedOnly.js';
import {
  ConfigurationError,
  isDeadlineExceededError,
  isInvalidProfileError,
  isProfileWriteError,
} from './errors.js';
import { readConfirmedUser } from './event.js';
import { idsOfUnknownEvent, invocationLog, resolveLogger } from './log.js';
import { defaultProfile } from './mapping.js';
import { buildProfileItem } from './profileItem.js';
import { createProfile } from './profileStore.js';
import { resolveTable, type TableOption } from './table.js';
import type { AttributeMapper, ConfirmedUser, Logger, MappingContext, Profile } from './types.js';
import { newClaim, runWelcomeOnce, type WelcomeRun, type WelcomeSender } from './welcomeOnce.js';

/** Options of the PostConfirmation profile sync. */
export interface ProfileSyncOptions extends DeadlineOptions {
  /** The profile table: its name, or `{ name, partitionKey?, client? | clientConfig? }`. */
  table: TableOption;
  /**
   * Turns the user's attributes into profile fields. The library then sets the partition
   * key to the user's `sub` and `createdAt` to the sync time, whatever the mapper returned.
   * @default defaultProfile
   */
  mapAttributes?: AttributeMapper;
  /**
   * The once-only welcome step, such as {@link sesWelcomeEmail}. Runs at most once per user
   * and again on a later delivery (or by reconcile) if it failed. A failure never fails the
   * confirmation.
   * @default undefined (no welcome)
   */
  onWelcome?: WelcomeSender;
  /**
   * How long a delivery's claim on the welcome lasts when it never finishes (the process
   * died mid-send, or the send timed out). Must exceed the longest a send can take.
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
  /**
   * Where the one log line per invocation goes.
   * @default JSON lines on the console
   */
  logger?: Logger;
  /**
   * Adds the Cognito user name and error messages (which can quote addresses) to log lines.
   * @default false
   */
  logPersonalData?: boolean;
}

/** What one PostConfirmation sync did. */
export interface SyncResult {
  /** `created`, `exists` or `skipped`; `failed` only with `failOpen`. */
  readonly outcome: SyncOutcome | 'failed';
  /** What the welcome step did. */
  readonly welcome: WelcomeOutcome;
  /** The row as mapped from this event (not re-read when it existed). */
  readonly profile?: Profile;
}

/** The sync as a plain function of an event. @internal */
export type SyncCore = (event: PostConfirmationTriggerEvent, context: Context | undefined) => Promise<SyncResult>;

/** @internal */
export const profileSyncDefaults = {
  mapAttributes: defaultProfile,
  welcomeLeaseMs: 60_000,
  skipTriggerSources: [PostConfirmationSource.ConfirmForgotPassword] as readonly string[],
  failOpen: false,
  logPersonalData: false,
};

const LOG_MESSAGE = 'cognito-profile-sync PostConfirmation';

function validateOptions(options: ProfileSyncOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', 'must be an object with at least `table`');
  }
  const merged = { ...profileSyncDefaults, ...definedOnly(options) };
  if (typeof merged.mapAttributes !== 'function') {
    throw new ConfigurationError('mapAttributes', 'must be a function (attributes, context) => profile');
  }
  if (merged.onWelcome !== undefined && typeof merged.onWelcome !== 'function') {
    throw new ConfigurationError('onWelcome', 'must be a function (profile, context) => Promise');
  }
  if (!Number.isFinite(merged.welcomeLeaseMs) || merged.welcomeLeaseMs < 1000) {
    throw new ConfigurationError('welcomeLeaseMs', 'must be at least 1000 ms, longer than any send can take');
  }
  const sources = merged.skipTriggerSources;
  if (!Array.isArray(sources) || sources.some((source) => typeof source !== 'string')) {
    throw new ConfigurationError('skipTriggerSources', 'must be an array of trigger source names');
  }
  return {
    ...merged,
    ...validateDeadlineOptions(options),
    table: resolveTable(options.table),
    skipTriggerSources: new Set(sources),
    logger: resolveLogger(options.logger),
  };
}

/**
 * Builds the PostConfirmation sync: guard, create the row, welcome once, one log line.
 * Options are checked here, once, so a misconfigured function fails at cold start.
 *
 * @internal
 */
export function createSyncCore(options: ProfileSyncOptions): SyncCore {
  const config = validateOptions(options);
  const { table, logger } = config;

  return async function syncProfile(event, context) {
    const startedAt = Date.now();
    const log = invocationLog(logger, LOG_MESSAGE, config.logPersonalData, startedAt);

    let user: ConfirmedUser | undefined;
    let profile: Profile;
    try {
      user = readConfirmedUser(event);
      if (config.skipTriggerSources.has(user.triggerSource)) {
        log.write('info', user, { outcome: SyncOutcome.Skipped, welcome: WelcomeOutcome.Off });
        return { outcome: SyncOutcome.Skipped, welcome: WelcomeOutcome.Off };
      }
      const mapping: MappingContext = { ...user, now: new Date(startedAt).toISOString() };
      profile = buildProfileItem(user, config.mapAttributes, mapping, table.partitionKey);
    } catch (error) {
      log.write('error', user ?? idsOfUnknownEvent(event), { outcome: 'failed', welcome: WelcomeOutcome.Off, error: log.describeError(error) });
      if (config.failOpen && isInvalidProfileError(error)) return { outcome: 'failed', welcome: WelcomeOutcome.Off };
      throw error;
    }

    const deadline = startDeadline(context, config);
    const claim = config.onWelcome ? newClaim(config.welcomeLeaseMs) : undefined;
    let outcome: SyncOutcome;
    try {
      outcome = await deadline.run('createProfile', (signal) => createProfile(table, profile, claim, signal));
    } catch (error) {
      log.write('error', user, { outcome: 'failed', welcome: WelcomeOutcome.Off, error: log.describeError(error) });
      if (config.failOpen && (isProfileWriteError(error) || isDeadlineExceededError(error))) {
        return { outcome: 'failed', welcome: WelcomeOutcome.Off, profile };
      }
      throw error;
    }

    let welcome: WelcomeRun = { outcome: WelcomeOutcome.Off };
    if (config.onWelcome) {
      welcome = await runWelcomeOnce({
        table,
        sub: user.sub,
        profile,
        sender: config.onWelcome,
        context: { sub: user.sub, attributes: user.attributes, event, ...(context ? { lambdaContext: context } : {}) },
        deadline,
        heldClaim: outcome === SyncOutcome.Created ? claim : undefined,
        leaseMs: config.welcomeLeaseMs,
      }).catch((error: unknown): WelcomeRun => ({ outcome: WelcomeOutcome.Failed, error }));
    }

    const welcomeError = welcome.error === undefined ? {} : { welcomeError: log.describeError(welcome.error) };
    log.write(welcome.error === undefined ? 'info' : 'warn', user, { outcome, welcome: welcome.outcome, ...welcomeError });
    return { outcome, welcome: welcome.outcome, profile };
  };
}
