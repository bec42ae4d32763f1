import { type ClaimsOption, resolveClaims } from './claims.js';
import { InvalidEventError } from './errors.js';
import { kindOf } from './triggerEvent.js';
import type { Profile } from './types.js';

/** The parts of a PreTokenGeneration event (V1, V2 or V3) that claims are written into. */
interface ClaimsEvent {
  readonly version?: unknown;
  response?: unknown;
}

/** The claim options of the PreTokenGeneration handler. */
interface TokenClaimsOptions {
  readonly claims?: ClaimsOption | undefined;
  readonly accessTokenClaims?: ClaimsOption | undefined;
}

type Container = Record<string, unknown>;

function isPlainObject(value: unknown): value is Container {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/*
 * An override container an earlier step or a test event left as something else (the
 * Cognito developer guide's V2 test event has `claimsAndScopeOverrideDetails: []`) would
 * hold the claims where JSON drops them: it is replaced by a fresh object.
 */
const containerOf = (value: unknown): Container => (isPlainObject(value) ? value : {});

/**
 * Throws unless the event's `response` can take claims: absent, `null` or an object.
 * Checked before the profile write, like the rest of the event.
 *
 * @internal
 */
export function checkResponse(event: ClaimsEvent): void {
  const { response } = event;
  if (response === undefined || response === null || isPlainObject(response)) return;
  throw new InvalidEventError('response', `must be an object, got ${kindOf(response)}`);
}

/**
 * Writes the claims in the response shape of the event's version and returns how many.
 * Every claim is resolved before the event is touched, so a claim that fails (a
 * `ClaimError`) leaves the event as it was, and the fail-open path returns it unchanged.
 *
 * @internal
 */
export function addClaims(event: ClaimsEvent, profile: Profile, options: TokenClaimsOptions): number {
  const versionTwoShape = event.version === '2' || event.version === '3';
  const idClaims = options.claims ? resolveClaims(options.claims, profile, !versionTwoShape, 'claims') : {};
  const accessClaims =
    versionTwoShape && options.accessTokenClaims ? resolveClaims(options.accessTokenClaims, profile, false, 'accessTokenClaims') : {};
  const count = Object.keys(idClaims).length + Object.keys(accessClaims).length;
  if (count === 0) return 0;

  // Cognito (and cognito-local) needs `response` back; merge with what an earlier step set.
  const response = (event.response = containerOf(event.response));
  if (!versionTwoShape) {
    const details = (response.claimsOverrideDetails = containerOf(response.claimsOverrideDetails));
    details.claimsToAddOrOverride = { ...containerOf(details.claimsToAddOrOverride), ...idClaims };
    return count;
  }
  const details = (response.claimsAndScopeOverrideDetails = containerOf(response.claimsAndScopeOverrideDetails));
  for (const [token, claims] of [
    ['idTokenGeneration', idClaims],
    ['accessTokenGeneration', accessClaims],
  ] as const) {
    if (Object.keys(claims).length === 0) continue;
    const generation = containerOf(details[token]);
    details[token] = { ...generation, claimsToAddOrOverride: { ...containerOf(generation.claimsToAddOrOverride), ...claims } };
  }
  return count;
}
