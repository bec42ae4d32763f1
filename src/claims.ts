import { ClaimError, ConfigurationError } from './errors.js';
import type { Profile } from './types.js';

/** A claim value Cognito accepts (V2 and V3 events take all of these; V1 only strings). */
export type ClaimValue = string | number | boolean | readonly (string | number | boolean)[] | Record<string, unknown>;

/**
 * Claims to add to a token: claim name to the profile field to copy, or to a function of
 * the profile. A value that is `undefined` or `null` adds no claim.
 *
 * @example
 * ```ts
 * claims: { plan: 'plan', 'member:since': (profile) => String(profile.createdAt).slice(0, 4) }
 * ```
 */
export type ClaimsOption = Readonly<Record<string, string | ((profile: Profile) => ClaimValue | undefined | null)>>;

/*
 * Claims Cognito sets itself and refuses to let a trigger add or override, in either token.
 * Any `cognito:` claim is Cognito's too; groups and roles go through group overrides.
 */
const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'acr',
  'amr',
  'at_hash',
  'auth_time',
  'aud',
  'azp',
  'c_hash',
  'client_id',
  'device_key',
  'event_id',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'scope',
  'sub',
  'token_use',
  'username',
  'version',
]);

/** @internal */
export function isReservedClaim(name: string): boolean {
  return RESERVED_CLAIMS.has(name) || name.startsWith('cognito:');
}

/** Checks claim names when the handler is created, so a reserved one fails at cold start. @internal */
export function validateClaims(claims: ClaimsOption | undefined, option: string): void {
  if (claims === undefined) return;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new ConfigurationError(option, 'must be an object of claim name to profile field or function');
  }
  for (const [name, source] of Object.entries(claims)) {
    if (name.length === 0) throw new ConfigurationError(option, 'has an empty claim name');
    if (isReservedClaim(name)) {
      throw new ConfigurationError(`${option}.${name}`, 'is a claim Cognito reserves and a trigger cannot set');
    }
    if (typeof source !== 'string' && typeof source !== 'function') {
      throw new ConfigurationError(`${option}.${name}`, 'must be a profile field name or a function of the profile');
    }
  }
}

/**
 * The claims for one token from a profile, as values a token can carry: sets (DynamoDB's
 * string and number sets) become arrays, numbers too large for JSON become strings, and
 * V1 events, which take strings only, get everything else as a string (JSON for arrays and
 * objects). A field the row does not have adds no claim, even one named like an
 * `Object.prototype` member.
 *
 * @throws {ClaimError} naming the claim (`option.name`), when its function throws or gives
 * a value a token cannot carry.
 * @internal
 */
export function resolveClaims(
  claims: ClaimsOption,
  profile: Profile,
  stringsOnly: boolean,
  option: string,
): Record<string, ClaimValue> {
  const resolved: Record<string, ClaimValue> = {};
  for (const [name, source] of Object.entries(claims)) {
    const claim = `${option}.${name}`;
    let value: unknown;
    if (typeof source !== 'function') value = Object.hasOwn(profile, source) ? profile[source] : undefined;
    else {
      try {
        value = source(profile);
      } catch (cause) {
        throw new ClaimError(claim, 'could not be made: the claim function threw', { cause });
      }
    }
    if (value === undefined || value === null) continue;
    resolved[name] = toClaimValue(value, stringsOnly, claim);
  }
  return resolved;
}

function toClaimValue(value: unknown, stringsOnly: boolean, claim: string): ClaimValue {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return stringsOnly ? String(value) : value;
    case 'number':
      if (!Number.isFinite(value)) throw new ClaimError(claim, 'is not a finite number, which a token cannot carry');
      return stringsOnly ? String(value) : value;
    case 'bigint':
      // A number DynamoDB returned beyond 2^53: exact as a string, rounded as JSON.
      return String(value);
    case 'object': {
      const json = claimJson(value as object, claim);
      return stringsOnly ? json : (JSON.parse(json) as ClaimValue);
    }
    default:
      throw new ClaimError(claim, `is a ${typeof value}, which a token cannot carry`);
  }
}

/** An array or object claim as JSON, with sets as arrays and big integers as strings. */
function claimJson(value: object, claim: string): string {
  let binary = false;
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (_key, nested: unknown) => {
      if (nested instanceof Set) return [...nested];
      if (typeof nested === 'bigint') return String(nested);
      if (ArrayBuffer.isView(nested)) {
        binary = true;
        throw new TypeError('binary data');
      }
      return nested;
    });
  } catch (cause) {
    if (binary) throw new ClaimError(claim, 'holds binary data, which a token cannot carry');
    throw new ClaimError(claim, 'cannot be written as JSON: it has a cycle, or reading it threw', { cause });
  }
  if (json === undefined) throw new ClaimError(claim, 'cannot be written as JSON');
  return json;
}
