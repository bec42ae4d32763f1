import type {
  PostConfirmationTriggerEvent,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { CognitoApiCallEvent } from '../adminChanges.js';
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

/** Options of {@link buildCognitoApiCallEvent}. */
export interface CognitoApiCallEventOptions {
  /** The API call, such as `AdminUpdateUserAttributes`. */
  eventName: string;
  /** The user's sub, recorded by CloudTrail in `additionalEventData.sub`; `null` leaves it out. */
  sub?: string | null;
  /** @default 'us-east-1_EXAMPLE01' */
  userPoolId?: string;
  /** @default now, to the second as CloudTrail records it */
  eventTime?: string;
  /** Set for a call that failed. @default none */
  errorCode?: string;
}

/**
 * An EventBridge event for a Cognito user-pool API call recorded by CloudTrail, with the
 * user name and attribute values redacted as CloudTrail does.
 *
 * @example
 * ```ts
 * const event = buildCognitoApiCallEvent({ eventName: 'AdminDisableUser', sub });
 * ```
 */
export function buildCognitoApiCallEvent(options: CognitoApiCallEventOptions): CognitoApiCallEvent {
  const userPoolId = options.userPoolId ?? 'us-east-1_EXAMPLE01';
  const eventTime = options.eventTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const region = userPoolId.split('_')[0] ?? 'us-east-1';
  const hidden = 'HIDDEN_DUE_TO_SECURITY_REASONS';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    account: '123456789012',
    time: eventTime,
    region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: { type: 'AssumedRole', accountId: '123456789012' },
      eventTime,
      eventSource: 'cognito-idp.amazonaws.com',
      eventName: options.eventName,
      awsRegion: region,
      requestParameters: { userPoolId, username: hidden, userAttributes: hidden },
      responseElements: null,
      ...(options.sub !== null && { additionalEventData: { sub: options.sub ?? randomUUID() } }),
      ...(options.errorCode !== undefined && { errorCode: options.errorCode, errorMessage: hidden }),
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '123456789012',
      eventCategory: 'Management',
    },
  };
}
