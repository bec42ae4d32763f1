import { randomUUID } from 'node:crypto';
import type { CognitoLocalAppClient, CognitoLocalContext, CognitoLocalServices, CognitoLocalUser, CognitoLocalUserPool } from './cognitoLocalLib.js';
import { signJwt } from './jwt.js';
import { type GroupConfiguration, buildPreTokenGenerationEvent } from './preTokenEvent.js';
import { type DraftTokens, PRE_TOKEN_GENERATION_VERSIONS, type PreTokenGenerationVersion, applyTokenOverrides } from './tokenOverrides.js';
import type { TriggerInvoker } from './triggerInvoker.js';

type TokenGenerator = CognitoLocalServices['tokenGenerator'];
type CognitoService = CognitoLocalServices['cognito'];
type Group = NonNullable<Awaited<ReturnType<CognitoLocalUserPool['getGroupByGroupName']>>>;

/** @internal */
export interface TokenGeneratorOptions {
  readonly cognito: CognitoService;
  readonly invoker: TriggerInvoker;
  readonly region: string;
  /** The version used unless the pool names one in `LambdaConfig.PreTokenGenerationConfig`. */
  readonly preTokenGenerationVersion: PreTokenGenerationVersion;
  /** Read at each signing: the port is only known once the server listens. */
  readonly issuerDomain: () => string;
  readonly signingKeyPem: string;
  readonly attributesToRecord: (attributes: CognitoLocalUser['Attributes']) => Record<string, string>;
}

/** The scope of tokens issued through the API (not the hosted UI). */
const API_SCOPE = 'aws.cognito.signin.user.admin';
const SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;

/**
 * Issues tokens as Cognito does for a user pool, in place of cognito-local's generator:
 * - the pre token generation trigger gets the event of the pool's version (V1, V2 or V3;
 *   the pool's `LambdaConfig.PreTokenGenerationConfig.LambdaVersion` when set through
 *   `UpdateUserPool`, else the stack's option), and what it returns is applied to both
 *   tokens and the access token's scopes;
 * - the ID token carries the user's attributes (`*_verified` as booleans), `cognito:groups`,
 *   and the roles of the user's groups; the access token `scope`, `client_id`, `version: 2`;
 * - tokens are signed with cognito-local's key, so its JWKS verifies them.
 *
 * @internal
 */
export function createTokenGenerator(options: TokenGeneratorOptions): TokenGenerator {
  return {
    async generate(ctx, user, userGroups, userPoolClient, clientMetadata, source) {
      const userPool = await options.cognito.getUserPool(ctx, userPoolClient.UserPoolId);
      // cognito-local's targets may hand over the user as it was before this call changed it
      // (RespondToAuthChallenge saves the new password and status, then passes the old record).
      const current = (await userPool.getUserByUsername(ctx, user.Username)) ?? user;
      const groups = await groupsOf(ctx, userPool, userGroups);
      const attributes = options.attributesToRecord(current.Attributes);
      const draft = draftTokens(current, attributes, groups, userPoolClient);

      if (options.invoker.enabled('PreTokenGeneration')) {
        const version = versionOf(userPool) ?? options.preTokenGenerationVersion;
        const event = buildPreTokenGenerationEvent({
          version,
          source,
          region: options.region,
          userPoolId: userPoolClient.UserPoolId,
          clientId: userPoolClient.ClientId,
          userName: current.Username,
          userAttributes: { ...attributes, 'cognito:user_status': current.UserStatus ?? 'UNKNOWN' },
          groupConfiguration: groupConfiguration(groups),
          scopes: draft.scopes,
          clientMetadata,
        });
        const result = await options.invoker.call('PreTokenGeneration', event);
        applyTokenOverrides(version, result.response, draft);
      }
      return sign(draft, current, userPoolClient, `${options.issuerDomain()}/${userPoolClient.UserPoolId}`, options.signingKeyPem);
    },
  };
}

function versionOf(userPool: CognitoLocalUserPool): PreTokenGenerationVersion | undefined {
  const lambdaConfig = userPool.options.LambdaConfig as { PreTokenGenerationConfig?: { LambdaVersion?: unknown } } | undefined;
  const version = lambdaConfig?.PreTokenGenerationConfig?.LambdaVersion;
  return PRE_TOKEN_GENERATION_VERSIONS.find((known) => known === version);
}

async function groupsOf(ctx: CognitoLocalContext, userPool: CognitoLocalUserPool, names: readonly string[]): Promise<Group[]> {
  const groups = await Promise.all(names.map((name) => userPool.getGroupByGroupName(ctx, name)));
  return groups.filter((group): group is Group => group !== null);
}

/**
 * The groups' roles, and the preferred one: the role of the group with the lowest
 * `Precedence`; none when groups tied there have different roles.
 */
function groupConfiguration(groups: readonly Group[]): GroupConfiguration {
  const withRoles = groups.filter((group) => group.RoleArn).sort((a, b) => precedence(a) - precedence(b));
  const roles = [...new Set(withRoles.map((group) => group.RoleArn as string))];
  const first = withRoles[0];
  const tied = first ? withRoles.filter((group) => precedence(group) === precedence(first)) : [];
  const preferred = new Set(tied.map((group) => group.RoleArn));
  return {
    groupsToOverride: groups.map((group) => group.GroupName),
    iamRolesToOverride: roles,
    preferredRole: preferred.size === 1 && first?.RoleArn ? first.RoleArn : null,
  };
}

const precedence = (group: Group): number => group.Precedence ?? Number.MAX_SAFE_INTEGER;

function draftTokens(user: CognitoLocalUser, attributes: Record<string, string>, groups: readonly Group[], client: CognitoLocalAppClient): DraftTokens {
  const sub = attributes.sub;
  const { groupsToOverride, iamRolesToOverride, preferredRole } = groupConfiguration(groups);
  const groupClaims = groupsToOverride.length > 0 ? { 'cognito:groups': [...groupsToOverride] } : {};
  const id: Record<string, unknown> = {
    sub,
    ...groupClaims,
    ...(iamRolesToOverride.length > 0 && { 'cognito:roles': [...iamRolesToOverride] }),
    ...(preferredRole !== null && { 'cognito:preferred_role': preferredRole }),
    ...attributeClaims(attributes),
    'cognito:username': user.Username,
    aud: client.ClientId,
    token_use: 'id',
  };
  const access: Record<string, unknown> = { sub, ...groupClaims, version: 2, client_id: client.ClientId, token_use: 'access', username: user.Username };
  return { id, access, scopes: [API_SCOPE] };
}

/** User attributes as ID token claims: strings, except the two verification flags. */
function attributeClaims(attributes: Record<string, string>): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'sub') continue;
    claims[name] = name === 'email_verified' || name === 'phone_number_verified' ? value === 'true' : value;
  }
  return claims;
}

function sign(draft: DraftTokens, user: CognitoLocalUser, client: CognitoLocalAppClient, issuer: string, pem: string) {
  const now = Math.floor(Date.now() / 1000);
  const session = { iss: issuer, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: now, iat: now };
  const units = client.TokenValidityUnits ?? {};
  const idToken = {
    ...draft.id,
    ...session,
    exp: now + lifetime(client.IdTokenValidity, units.IdToken ?? 'hours', 3600),
    jti: randomUUID(),
  };
  const accessToken = {
    ...draft.access,
    ...session,
    ...(draft.scopes.length > 0 && { scope: draft.scopes.join(' ') }),
    exp: now + lifetime(client.AccessTokenValidity, units.AccessToken ?? 'hours', 3600),
    jti: randomUUID(),
  };
  // Opaque on AWS; cognito-local finds the user by the exact string, so any unique one does.
  const refreshToken = {
    'cognito:username': user.Username,
    iss: issuer,
    iat: now,
    exp: now + lifetime(client.RefreshTokenValidity, units.RefreshToken ?? 'days', 30 * 86_400),
    jti: randomUUID(),
  };
  return { IdToken: signJwt(idToken, pem), AccessToken: signJwt(accessToken, pem), RefreshToken: signJwt(refreshToken, pem) };
}

/** A token's lifetime in seconds from the app client's settings; AWS's default otherwise. */
function lifetime(validity: number | undefined, unit: string, fallbackSeconds: number): number {
  if (validity === undefined || !(unit in SECONDS)) return fallbackSeconds;
  return validity * SECONDS[unit as keyof typeof SECONDS];
}
