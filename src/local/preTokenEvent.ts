import { ADMIN_CLIENT_ID, UNKNOWN_SDK_VERSION } from './triggerInvoker.js';
import type { PreTokenGenerationVersion } from './tokenOverrides.js';

/** The group data a pre token generation event carries. @internal */
export interface GroupConfiguration {
  readonly groupsToOverride: readonly string[];
  readonly iamRolesToOverride: readonly string[];
  readonly preferredRole: string | null;
}

/** @internal */
export interface PreTokenEventInput {
  readonly version: PreTokenGenerationVersion;
  /** `Authentication`, `NewPasswordChallenge`, `RefreshTokens`, `HostedAuth` ... */
  readonly source: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string | null;
  readonly userName: string;
  /** The user's attributes with `cognito:user_status`, all as strings. */
  readonly userAttributes: Readonly<Record<string, string>>;
  readonly groupConfiguration: GroupConfiguration;
  readonly scopes: readonly string[];
  readonly clientMetadata: Readonly<Record<string, string>> | undefined;
}

/**
 * The event Cognito sends a pre token generation trigger, by version: `version` "1", "2"
 * or "3"; `request.scopes` from V2 on; `response` with the empty override object of the
 * version (`claimsOverrideDetails: null` in V1 events seen in the wild,
 * `claimsAndScopeOverrideDetails: null` in V2 and V3 per the developer guide).
 *
 * @internal
 */
export function buildPreTokenGenerationEvent(input: PreTokenEventInput): Record<string, unknown> {
  const v1 = input.version === 'V1_0';
  return {
    version: input.version.charAt(1),
    triggerSource: `TokenGeneration_${input.source}`,
    region: input.region,
    userPoolId: input.userPoolId,
    userName: input.userName,
    callerContext: { awsSdkVersion: UNKNOWN_SDK_VERSION, clientId: input.clientId ?? ADMIN_CLIENT_ID },
    request: {
      userAttributes: { ...input.userAttributes },
      groupConfiguration: {
        groupsToOverride: [...input.groupConfiguration.groupsToOverride],
        iamRolesToOverride: [...input.groupConfiguration.iamRolesToOverride],
        preferredRole: input.groupConfiguration.preferredRole,
      },
      ...(v1 ? {} : { scopes: [...input.scopes] }),
      ...(input.clientMetadata && Object.keys(input.clientMetadata).length > 0 && { clientMetadata: { ...input.clientMetadata } }),
    },
    response: v1 ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
  };
}
