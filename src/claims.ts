import { ConfigurationError } from './errors.js';
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
 * The claims for one token from a profile. V1 events take strings only, so other values
 * are turned into strings there (JSON for arrays and objects).
 *
 * @internal
 */
export function resolveClaims(claims: ClaimsOption, profile: Profile, stringsOnly: boolean): Record<string, ClaimValue> {
  const resolved: Record<string, ClaimValue> = {};
  for (const [name, source] of Object.entries(claims)) {
    const value = typeof source === 'function' ? source(profile) : profile[source];
    if (value === undefined || value === null) continue;
    resolved[name] = stringsOnly && typeof value !== 'string' ? toClaimString(value) : (value as ClaimValue);
  }
  return resolved;
}

function toClaimString(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value instanceof Set ? [...value] : value) : String(value);
}
