import type {
  PostConfirmationTriggerEvent,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { PostConfirmationSource } from '../constants.js';

/** Options of {@link buildPostConfirmationEvent}. */
export interface PostConfirmationEventOptions {
  /** @default 'PostConfirmation_ConfirmSignUp' */
  triggerSource?: PostConfirmationTriggerEvent['triggerSource'];
  /** @default a random UUID */
  sub?: string;
  /**
   * Attributes besides `sub`, merged over the defaults (`email`, `email_verified`, `name`).
   * Set one to `undefined` to leave it out.
   */
  userAttributes?: Record<string, string | undefined>;
  /** @default the sub, as Cognito does when email is the username attribute */
  userName?: string;
  /** @default 'us-east-1_EXAMPLE01' */
  userPoolId?: string;
  /** @default '1example23456789' */
  clientId?: string;
  /** @default none */
  clientMetadata?: Record<string, string>;
}

/**
 * A PostConfirmation event shaped as Cognito sends it, for tests.
 *
 * @example
 * ```ts
 * const event = buildPostConfirmationEvent({
 *   triggerSource: 'PostConfirmation_ConfirmForgotPassword',
 *   userAttributes: { 'custom:plan': 'pro' },
 * });
 * ```
 */
export function buildPostConfirmationEvent(options: PostConfirmationEventOptions = {}): PostConfirmationTriggerEvent {
  const sub = options.sub ?? randomUUID();
  const userPoolId = options.userPoolId ?? 'us-east-1_EXAMPLE01';
  const attributes: Record<string, string> = {};
  const merged = {
    sub,
    'cognito:user_status': 'CONFIRMED',
    email_verified: 'true',
    email: `user-${sub.slice(0, 8)}@example.com`,
    name: 'Example User',
    ...options.userAttributes,
  };
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) attributes[name] = value;
  return {
    version: '1',
    region: userPoolId.split('_')[0] ?? 'us-east-1',
    userPoolId,
    userName: options.userName ?? sub,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: options.clientId ?? '1example23456789' },
    triggerSource: options.triggerSource ?? PostConfirmationSource.ConfirmSignUp,
    request: {
      userAttributes: attributes,
      ...(options.clientMetadata && { clientMetadata: options.clientMetadata }),
    },
    response: {},
  };
}

/** Options of {@link buildPreTokenGenerationEvent}. */
export interface PreTokenGenerationEventOptions extends Omit<PostConfirmationEventOptions, 'triggerSource'> {
  /** @default 'TokenGeneration_Authentication' */
  triggerSource?: PreTokenGenerationTriggerEvent['triggerSource'];
  /**
   * The event version: `'1'` carries `claimsOverrideDetails`, `'2'` and `'3'` carry
   * `claimsAndScopeOverrideDetails`.
   * @default '1'
   */
  version?: '1' | '2' | '3';
  /** @default [] */
  groups?: string[];
}

/**
 * A PreTokenGeneration event shaped as Cognito sends it (V1, V2 or V3), for tests.
 *
 * @example
 * ```ts
 * const event = buildPreTokenGenerationEvent({ version: '2', triggerSource: 'TokenGeneration_NewPasswordChallenge' });
 * ```
 */
export function buildPreTokenGenerationEvent(
  options: PreTokenGenerationEventOptions = {},
): PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent {
  const base = buildPostConfirmationEvent({ ...options, triggerSource: undefined });
  const version = options.version ?? '1';
  const groupConfiguration = { groupsToOverride: options.groups ?? [], iamRolesToOverride: [], preferredRole: undefined };
  const request = { ...base.request, groupConfiguration, ...(version === '1' ? {} : { scopes: ['openid', 'email'] }) };
  const triggerSource = options.triggerSource ?? 'TokenGeneration_Authentication';
  if (version === '1') {
    return { ...base, version, triggerSource, request, response: { claimsOverrideDetails: {} } } as PreTokenGenerationTriggerEvent;
  }
  return {
    ...base,
    version,
    triggerSource,
    request,
    response: { claimsAndScopeOverrideDetails: {} },
  } as PreTokenGenerationV2TriggerEvent;
}
