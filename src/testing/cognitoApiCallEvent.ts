import { randomUUID } from 'node:crypto';
import type { CloudTrailDetail, CognitoApiCallEvent } from '../adminChanges.js';
import { regionOf } from './triggerBase.js';

/** The two markers CloudTrail writes in place of a redacted value. */
export type RedactionMarker = 'HIDDEN_DUE_TO_SECURITY_REASONS' | 'HIDDEN_FOR_SECURITY_REASONS';

/** Options of {@link buildCognitoApiCallEvent}. */
export interface CognitoApiCallEventOptions {
  /** The API call, such as `AdminUpdateUserAttributes`. */
  eventName: string;
  /**
   * The user's sub, recorded by CloudTrail in `additionalEventData.sub` (for `SignUp`, in
   * `responseElements.userSub`: the user did not exist before the call); `null` leaves it out.
   * @default a random UUID
   */
  sub?: string | null;
  /** @default 'us-east-1_EXAMPLE01' */
  userPoolId?: string;
  /** @default the region prefix of `userPoolId` */
  region?: string;
  /** @default '123456789012' */
  account?: string;
  /** @default now, to the second as CloudTrail records it */
  eventTime?: string;
  /** Set for a call that failed. @default none */
  errorCode?: string;
  /** @default 'The request failed.' when `errorCode` is set, otherwise none */
  errorMessage?: string;
  /**
   * The marker written in place of user names, passwords and attribute values.
   * @default 'HIDDEN_DUE_TO_SECURITY_REASONS'
   */
  redactionMarker?: RedactionMarker;
  /**
   * Merged over the request parameters the call records: for admin calls `userPoolId` and a
   * redacted `username` (and `userAttributes` where the call takes them); for calls a user
   * makes with an access token, a redacted `accessToken` and no pool id; for `SignUp`, the
   * `clientId` and redacted `username`, `password` and `userAttributes`. Set a field to
   * `undefined` to leave it out.
   */
  requestParameters?: Record<string, unknown>;
  /**
   * @default for `SignUp`, `{ userConfirmed: false, codeDeliveryDetails, userSub }`; otherwise `null`
   */
  responseElements?: Record<string, unknown> | null;
  /** Merged over `{ sub }`. */
  additionalEventData?: Record<string, unknown>;
}

/** Calls a signed-in user makes with an access token: CloudTrail names no pool and no caller. */
const ACCESS_TOKEN_CALLS: ReadonlySet<string> = new Set([
  'UpdateUserAttributes',
  'DeleteUserAttributes',
  'DeleteUser',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'ChangePassword',
]);
/** Admin calls whose request carries attribute values (redacted). */
const ATTRIBUTE_CALLS: ReadonlySet<string> = new Set([
  'AdminCreateUser',
  'AdminUpdateUserAttributes',
  'UpdateUserAttributes',
]);

function requestParametersOf(eventName: string, userPoolId: string, hidden: RedactionMarker): Record<string, unknown> {
  const attributes = ATTRIBUTE_CALLS.has(eventName) ? { userAttributes: hidden } : {};
  if (eventName === 'SignUp') {
    return { clientId: '1example23456789', username: hidden, password: hidden, userAttributes: hidden };
  }
  if (ACCESS_TOKEN_CALLS.has(eventName)) return { accessToken: hidden, ...attributes };
  return { userPoolId, username: hidden, ...attributes };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * An EventBridge event (`detail-type: "AWS API Call via CloudTrail"`) for a Cognito user-pool
 * API call, with the record CloudTrail writes: the user's `sub` in `additionalEventData`, user
 * names and attribute values redacted, the caller an IAM role for admin calls and anonymous for
 * calls made with a user's access token.
 *
 * @example
 * ```ts
 * const event = buildCognitoApiCallEvent({ eventName: 'AdminDisableUser', sub });
 * const signUp = buildCognitoApiCallEvent({ eventName: 'SignUp', sub: null, responseElements: { userSub: sub } });
 * ```
 */
export function buildCognitoApiCallEvent(options: CognitoApiCallEventOptions): CognitoApiCallEvent {
  const userPoolId = options.userPoolId ?? 'us-east-1_EXAMPLE01';
  const eventTime = options.eventTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const region = options.region ?? regionOf(userPoolId);
  const account = options.account ?? '123456789012';
  const hidden = options.redactionMarker ?? 'HIDDEN_DUE_TO_SECURITY_REASONS';
  const sub = options.sub === null ? undefined : (options.sub ?? randomUUID());
  const signUp = options.eventName === 'SignUp';
  const selfService = ACCESS_TOKEN_CALLS.has(options.eventName) || signUp;
  const defaultResponse =
    signUp
      ? {
          userConfirmed: false,
          codeDeliveryDetails: { destination: hidden, deliveryMedium: 'EMAIL', attributeName: 'email' },
          userSub: sub ?? randomUUID(),
        }
      : null;
  const additionalEventData = withoutUndefined({ sub: signUp ? undefined : sub, ...options.additionalEventData });

  const detail: CloudTrailDetail = {
    eventVersion: '1.08',
    userIdentity: selfService
      ? { type: 'Unknown', principalId: 'Anonymous' }
      : {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLEID:admin-session',
          arn: `arn:aws:sts::${account}:assumed-role/Admin/admin-session`,
          accountId: account,
          accessKeyId: 'ASIAEXAMPLEKEYID',
        },
    eventTime,
    eventSource: 'cognito-idp.amazonaws.com',
    eventName: options.eventName,
    awsRegion: region,
    sourceIPAddress: '192.0.2.1',
    userAgent: 'aws-cli/2.15.0 Python/3.11.6',
    ...(options.errorCode !== undefined && { errorCode: options.errorCode, errorMessage: options.errorMessage ?? 'The request failed.' }),
    requestParameters: withoutUndefined({
      ...requestParametersOf(options.eventName, userPoolId, hidden),
      ...options.requestParameters,
    }),
    responseElements: options.responseElements === undefined ? defaultResponse : options.responseElements,
    ...(Object.keys(additionalEventData).length > 0 && { additionalEventData }),
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    account,
    time: eventTime,
    region,
    resources: [],
    detail,
  };
}
