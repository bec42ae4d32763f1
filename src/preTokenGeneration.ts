import type {
  Context,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  PreTokenGenerationV3TriggerEvent,
} from 'aws-lambda';
import { resolveClaims, validateClaims, type ClaimsOption } from './claims.js';
import { type DeadlineOptions, startDeadline, validateDeadlineOptions } from './deadline.js';
import { isInvalidEventError } from './errors.js';
import { idsOfUnknownEvent, invocationLog, resolveLogger } from './log.js';
import { checkMapper, checkOptionsObject, checkSourceList, type ProfileTableOptions } from './options.js';
import { buildProfileItem } from './store/profileItem.js';
import { updateProfileFields } from './store/profileStore.js';
import { resolveTable } from './store/table.js';
import { readTriggerUser } from './triggerEvent.js';
import type { Profile, TriggerUser } from './types.js';

/** A PreTokenGeneration event of any version (V1, V2, V3). */
export type PreTokenGenerationEvent =
  | PreTokenGenerationTriggerEvent
  | PreTokenGenerationV2TriggerEvent
  | PreTokenGenerationV3TriggerEvent;

/** Options of {@link createPreTokenGenerationHandler}. */
export interface PreTokenGenerationOptions extends ProfileTableOptions, DeadlineOptions {
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
   * cannot be stored), log it and let the sign-in go on with the event unchanged. `false`
   * fails the sign-in instead.
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
  const mapAttributes = checkMapper(options.mapAttributes);
  const skipTriggerSources = checkSourceList(options.skipTriggerSources ?? defaultSkippedSources, 'skipTriggerSources');
  validateClaims(options.claims, 'claims');
  validateClaims(options.accessTokenClaims, 'accessTokenClaims');
  return {
    mapAttributes,
    skipTriggerSources,
    claims: options.claims,
    accessTokenClaims: options.accessTokenClaims,
    failOpen: options.failOpen ?? true,
    logPersonalData: options.logPersonalData ?? false,
    deadline: validateDeadlineOptions(options),
    table: resolveTable(options.table),
    logger: resolveLogger(options.logger),
  };
}

/**
 * A PreTokenGeneration handler that keeps the profile in step at every sign-in: one
 * upserting `UpdateItem` sets the Cognito-owned fields and `lastLoginAt`, creates the row
 * when it is missing (users made by `AdminCreateUser`, users from before the trigger), and
 * returns the row, which feeds the token claims. Fails open by default.
 *
 * @example
 * ```ts
 * export const handler = createPreTokenGenerationHandler({
 *   table: process.env.DDB_TABLE!,
 *   claims: { plan: 'plan' },
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
    try {
      if (typeof event === 'object' && event !== null && config.skipTriggerSources.has(event.triggerSource)) {
        log.write('info', idsOfUnknownEvent(event), { outcome: SignInOutcome.Skipped });
        return event;
      }
      user = readTriggerUser(event, 'TokenGeneration_');
      const now = new Date(startedAt).toISOString();
      const fields = buildProfileItem(user, config.mapAttributes, { ...user, now }, table.partitionKey);
      fields[LAST_LOGIN] = now;
      const deadline = startDeadline(context, config.deadline);
      const profile = await deadline.run('syncProfile', (signal) =>
        updateProfileFields(table, user!.sub, { fields, now, mode: 'upsert' }, signal, 'syncProfile'),
      );
      const claimCount = addClaims(event, profile ?? fields, config);
      const outcome = profile?.createdAt === now ? SignInOutcome.Created : SignInOutcome.Updated;
      log.write('info', user, { outcome, claims: claimCount });
      return event;
    } catch (error) {
      log.write('error', user ?? idsOfUnknownEvent(event), { outcome: SignInOutcome.Failed, error: log.describeError(error) });
      if (config.failOpen && !isInvalidEventError(error)) return event;
      throw error;
    }
  };
}

/**
 * Writes the claims in the response shape of the event's version and returns how many.
 * Every claim is resolved before the event is touched, so a claim function that throws
 * leaves the event as it was (and the fail-open path returns it unchanged).
 */
function addClaims(
  event: PreTokenGenerationEvent,
  profile: Profile,
  config: { claims?: ClaimsOption | undefined; accessTokenClaims?: ClaimsOption | undefined },
): number {
  const versionTwoShape = event.version === '2' || event.version === '3';
  const idClaims = config.claims ? resolveClaims(config.claims, profile, !versionTwoShape) : {};
  const accessClaims =
    versionTwoShape && config.accessTokenClaims ? resolveClaims(config.accessTokenClaims, profile, false) : {};
  const count = Object.keys(idClaims).length + Object.keys(accessClaims).length;
  if (count === 0) return 0;

  // Cognito (and cognito-local) needs `response` back; merge with what an earlier step set.
  const mutable = event as unknown as { response?: Record<string, any> };
  mutable.response ??= {};
  if (!versionTwoShape) {
    const details = (mutable.response.claimsOverrideDetails ??= {});
    details.claimsToAddOrOverride = { ...details.claimsToAddOrOverride, ...idClaims };
    return count;
  }
  const details = (mutable.response.claimsAndScopeOverrideDetails ??= {});
  for (const [token, claims] of [
    ['idTokenGeneration', idClaims],
    ['accessTokenGeneration', accessClaims],
  ] as const) {
    if (Object.keys(claims).length === 0) continue;
    details[token] = { ...details[token], claimsToAddOrOverride: { ...details[token]?.claimsToAddOrOverride, ...claims } };
  }
  return count;
}
