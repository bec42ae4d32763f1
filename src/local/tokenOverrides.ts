import { isReservedClaim } from '../claims.js';

/**
 * The pre token generation event version a pool sends, as `LambdaConfig.PreTokenGenerationConfig.LambdaVersion`
 * names it.
 *
 * @example
 * ```ts
 * const version: PreTokenGenerationVersion = 'V2_0';
 * ```
 */
export type PreTokenGenerationVersion = 'V1_0' | 'V2_0' | 'V3_0';

/** @internal */
export const PRE_TOKEN_GENERATION_VERSIONS: readonly PreTokenGenerationVersion[] = ['V1_0', 'V2_0', 'V3_0'];

/** The claims of the two tokens and the access token's scopes, before signing. @internal */
export interface DraftTokens {
  readonly id: Record<string, unknown>;
  readonly access: Record<string, unknown>;
  scopes: string[];
}

/*
 * Claims Cognito sets itself and a trigger cannot add, override or suppress (the developer
 * guide's list, and every `cognito:` claim; groups and roles change through
 * groupOverrideDetails): one list, the library's, which refuses them at cold start.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * Applies a pre token generation result to the draft tokens, as Cognito reads it for the
 * pool's event version: V1 reads `response.claimsOverrideDetails` (ID token claims, groups),
 * V2 and V3 read `response.claimsAndScopeOverrideDetails` (ID and access token claims,
 * scopes, groups). A response in the other version's shape changes nothing, as on AWS.
 *
 * - A claim both added and suppressed is suppressed.
 * - Reserved claims are left as Cognito set them.
 * - `groupOverrideDetails`, when present, replaces `cognito:groups` in both tokens (and
 *   `cognito:roles`, `cognito:preferred_role` in the ID token); an empty or null one removes them.
 *
 * @internal
 */
export function applyTokenOverrides(version: PreTokenGenerationVersion, response: unknown, tokens: DraftTokens): void {
  if (!isObject(response)) return;
  if (version === 'V1_0') {
    const details = response.claimsOverrideDetails;
    if (!isObject(details)) return;
    applyClaims(tokens.id, details);
    applyGroups(details, tokens);
    return;
  }
  const details = response.claimsAndScopeOverrideDetails;
  if (!isObject(details)) return;
  if (isObject(details.idTokenGeneration)) applyClaims(tokens.id, details.idTokenGeneration);
  if (isObject(details.accessTokenGeneration)) {
    applyClaims(tokens.access, details.accessTokenGeneration);
    applyScopes(tokens, details.accessTokenGeneration);
  }
  applyGroups(details, tokens);
}

function applyClaims(token: Json, change: Json): void {
  if (isObject(change.claimsToAddOrOverride)) {
    for (const [claim, value] of Object.entries(change.claimsToAddOrOverride)) {
      if (!isReservedClaim(claim)) token[claim] = value;
    }
  }
  for (const claim of strings(change.claimsToSuppress)) {
    if (!isReservedClaim(claim)) delete token[claim];
  }
}

function applyScopes(tokens: DraftTokens, change: Json): void {
  const suppressed = new Set(strings(change.scopesToSuppress));
  tokens.scopes = [...new Set([...tokens.scopes, ...strings(change.scopesToAdd)])].filter((scope) => !suppressed.has(scope));
}

function applyGroups(details: Json, tokens: DraftTokens): void {
  if (!('groupOverrideDetails' in details)) return;
  const override = isObject(details.groupOverrideDetails) ? details.groupOverrideDetails : {};
  const groups = strings(override.groupsToOverride);
  const roles = strings(override.iamRolesToOverride);
  setOrRemove(tokens.id, 'cognito:groups', groups.length > 0 ? groups : undefined);
  setOrRemove(tokens.access, 'cognito:groups', groups.length > 0 ? groups : undefined);
  setOrRemove(tokens.id, 'cognito:roles', roles.length > 0 ? roles : undefined);
  setOrRemove(tokens.id, 'cognito:preferred_role', typeof override.preferredRole === 'string' ? override.preferredRole : undefined);
}

function setOrRemove(token: Json, claim: string, value: unknown): void {
  if (value === undefined) delete token[claim];
  else token[claim] = value;
}
