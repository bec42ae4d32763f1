import { profileMapper } from './mapping.js';
import type {
  Context,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  PreTokenGenerationV3TriggerEvent,
} from 'aws-lambda';
import { validateClaims, type ClaimsOption } from './claims.js';
import { WelcomeOutcome } from './constants.js';
import { type DeadlineOptions, startDeadline, validateDeadlineOptions } from './deadline.js';
import { isInvalidEventError } from './errors.js';
import { idsOfUnknownEvent, invocationLog, resolveLogger } from './log.js';
import { checkMapper, checkOptionsObject, checkSourceList, type ProfileTableOptions } from './options.js';
import { runSignInWelcome, type SignInWelcomeOptions, validateSignInWelcome, writeSignIn } from './signInWelcome.js';
import { buildProfileItem } from './store/profileData.js';
import { resolveTable } from './store/table.js';
import { addClaims, checkResponse } from './tokenClaims.js';
import { readTriggerUser } from './triggerEvent.js';
import type { TriggerUser } from './types.js';
import type { WelcomeRun } from './welcome/step.js';

/** A PreTokenGeneration event of any version (V1, V2, V3). */
export type PreTokenGenerationEvent =
  | PreTokenGenerationTriggerEvent
  | PreTokenGenerationV2TriggerEvent
  | PreTokenGenerationV3TriggerEvent;

/** Options of {@link createPreTokenGenerationHandler}. */
export interface PreTokenGenerationOptions extends ProfileTableOptions, DeadlineOptions, SignInWelcomeOptions {
  /**
   * Claims to add to the ID token, read from the profile row after the sync. Claims Cognito
   * reserves (`sub`, `iss`, `aud`, `exp`, `token_use`, `cognito:*`, …) are refused here.
   * @default none
   */
  claims?: ClaimsOption;
  /**
   * Claims to add to the access token (V2 and V3 events only; ignored for V1).
   * @default none
   */
  accessTokenClaims?: ClaimsOption;
  /**
   * Trigger sources to pass through untouched. Refreshes repeat a login that was already
   * synced; client-credentials grants have no user.
   * @default ['TokenGeneration_RefreshTokens', 'TokenGeneration_ClientCredentials']
   */
  skipTriggerSources?: readonly string[];
  /**
   * When the profile cannot be synced (a DynamoDB error, the deadline, a mapper whose output
   * cannot be stored) or a claim cannot be made (`ClaimError`), log it and let the sign-in go
   * on with the event unchanged. `false` fails the sign-in instead. A malformed event
   * (`InvalidEventError`) fails it either way. The welcome never fails a sign-in.
   * @default true
   */
  failOpen?: boolean;
}

/**
 * What one sign-in sync did: `created` or `updated` the row, `skipped` the source, or
 * `failed` (logged; the sign-in goes on unless `failOpen` is off).
 */
const SignInOutcome = {
  Created: 'created',
  Updated: 'updated',
  Skipped: 'skipped',
  Failed: 'failed',
} as const;

const defaultSkippedSources: readonly string[] = ['TokenGeneration_RefreshTokens', 'TokenGeneration_ClientCredentials'];

const LOG_MESSAGE = 'cognito-profile-sync PreTokenGeneration';
/** Set at every synced sign-in. */
const LAST_LOGIN = 'lastLoginAt';

function validate(options: PreTokenGenerationOptions) {
  checkOptionsObject(options, ' with at least `table`');
  const mapAttributes = checkMapper(options.mapAttributes, profileMapper);
  const skipTriggerSources = checkSourceList(options.skipTriggerSources ?? defaultSkippedSources, 'skipTriggerSources');
  validateClaims(options.claims, 'claims');
  validateClaims(options.accessTokenClaims, 'accessTokenClaims');
  const deadline = validateDeadlineOptions(options);
  const table = resolveTable(options.table);
  return {
    mapAttributes,
    skipTriggerSources,
    claims: options.claims,
    accessTokenClaims: options.accessTokenClaims,
    failOpen: options.failOpen ?? true,
    logPersonalData: options.logPersonalData ?? false,
    deadline,
    table,
    welcome: validateSignInWelcome(options, table, deadline.deadlineMs, skipTriggerSources),
    logger: resolveLogger(options.logger),
  };
}

/**
 * A PreTokenGeneration handler that keeps the profile in step at every sign-in: one
 * upserting `UpdateItem` sets the Cognito-owned fields and `lastLoginAt`, creates the row
 * when it is missing (users made by `AdminCreateUser`, users from before the trigger), and
 * returns the row, which feeds the token claims. With `onWelcome`, the first sign-in of an
 * admin-created user also runs the once-only welcome, its claim taken by that same write.
 * Fails open by default; the welcome never fails a sign-in.
 *
 * @example
 * ```ts
 * export const handler = createPreTokenGenerationHandler({
 *   table: process.env.DDB_TABLE!,
 *   claims: { plan: 'plan' },
 *   onWelcome: sesWelcomeEmail({ source: process.env.SOURCE_EMAIL!, subject: 'Welcome!', text: 'Hi {{name}}' }),
 * });
 * ```
 */
export function createPreTokenGenerationHandler<TEvent extends PreTokenGenerationEvent = PreTokenGenerationEvent>(
  options: PreTokenGenerationOptions,
): (event: TEvent, context: Context) => Promise<TEvent> {
  const config = validate(options);
  const { table } = config;

  return async function syncAtSignIn(event, context) {
    const startedAt = Date.now();
    const log = invocationLog(config.logger, LOG_MESSAGE, config.logPersonalData, startedAt);

    let user: TriggerUser | undefined;
    // Logged only where a welcome is configured: `off` for the sources that do not run it.
    let welcome: WelcomeRun | undefined = config.welcome && { outcome: WelcomeOutcome.Off };
    try {
      if (typeof event === 'object' && event !== null && config.skipTriggerSources.has(event.triggerSource)) {
        log.write('info', idsOfUnknownEvent(event), { outcome: SignInOutcome.Skipped });
        return event;
      }
      user = readTriggerUser(event, 'TokenGeneration_');
      if (config.claims || config.accessTokenClaims) checkResponse(event);
      const now = new Date(startedAt).toISOString();
      const fields = buildProfileItem(user, config.mapAttributes, { ...user, now }, table.partitionKey);
      fields[LAST_LOGIN] = now;
      const deadline = startDeadline(context, config.deadline);
      const attempt = config.welcome?.sources.has(user.triggerSource) ? config.welcome.once.begin() : undefined;
      const update = { fields, now, mode: 'upsert', notDeleted: true } as const;
      const { row: profile, claimed } = await deadline.run('syncProfile', (signal) =>
        writeSignIn(table, user!.sub, update, attempt, config.welcome?.takeOverUnknown ?? false, signal),
      );
      if (attempt) welcome = { outcome: WelcomeOutcome.Skipped };
      // Straight after the write that took its claim: nothing may fail in between.
      if (claimed && profile) welcome = await runSignInWelcome(claimed, user, profile, event, context, deadline);
      const claimCount = addClaims(event, profile ?? fields, config);
      const outcome = profile?.createdAt === now ? SignInOutcome.Created : SignInOutcome.Updated;
      log.write(welcome?.error === undefined ? 'info' : 'warn', user, { outcome, claims: claimCount, ...welcomeFields(welcome, log) });
      return event;
    } catch (error) {
      const fields = { outcome: SignInOutcome.Failed, error: log.describeError(error), ...welcomeFields(welcome, log) };
      log.write('error', user ?? idsOfUnknownEvent(event), fields);
      if (config.failOpen && !isInvalidEventError(error)) return event;
      throw error;
    }
  };
}

/** The welcome's part of the log line, where a welcome is configured. */
function welcomeFields(welcome: WelcomeRun | undefined, log: ReturnType<typeof invocationLog>): Record<string, unknown> {
  if (welcome === undefined) return {};
  return { welcome: welcome.outcome, ...(welcome.error !== undefined && { welcomeError: log.describeError(welcome.error) }) };
}
