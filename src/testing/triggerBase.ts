import { randomUUID } from 'node:crypto';

/** Options every Cognito trigger-event builder takes. */
export interface TriggerEventOptions {
  /** @default a random UUID */
  sub?: string;
  /**
   * Attributes besides `sub`, merged over the defaults (`cognito:user_status`,
   * `email_verified`, `email`, `name`). Values are strings, as Cognito sends them. Set one to
   * `undefined` to leave it out.
   */
  userAttributes?: Record<string, string | undefined>;
  /** @default the sub, as Cognito sends it when email is the username attribute */
  userName?: string;
  /** @default 'us-east-1_EXAMPLE01' */
  userPoolId?: string;
  /** @default the region prefix of `userPoolId` */
  region?: string;
  /**
   * The app client. `null` is what Cognito sends when no client is involved, such as for
   * `AdminConfirmSignUp` (Powertools' schemas reject it; `@types/aws-lambda` types it as a
   * string).
   * @default '1example23456789'
   */
  clientId?: string | null;
  /** @default 'aws-sdk-unknown-unknown', what Cognito sends for SDK and hosted-UI calls alike */
  awsSdkVersion?: string;
  /**
   * What the caller passed as `ClientMetadata`; Cognito leaves the field out when there is none.
   * @default none
   */
  clientMetadata?: Record<string, string>;
}

/** The fields shared by every trigger event, as Cognito sends them. @internal */
export function triggerBase(options: TriggerEventOptions) {
  const sub = options.sub ?? randomUUID();
  const userPoolId = options.userPoolId ?? 'us-east-1_EXAMPLE01';
  const merged: Record<string, string | undefined> = {
    sub,
    'cognito:user_status': 'CONFIRMED',
    email_verified: 'true',
    email: `user-${sub.slice(0, 8)}@example.com`,
    name: 'Example User',
    ...options.userAttributes,
  };
  const userAttributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) userAttributes[name] = value;
  return {
    region: options.region ?? regionOf(userPoolId),
    userPoolId,
    userName: options.userName ?? sub,
    callerContext: {
      awsSdkVersion: options.awsSdkVersion ?? 'aws-sdk-unknown-unknown',
      // Cognito sends null here for admin calls; the event types say string, so the value is
      // passed through as given rather than narrowed.
      clientId: (options.clientId === undefined ? '1example23456789' : options.clientId) as string,
    },
    userAttributes,
    ...(options.clientMetadata && { clientMetadata: { ...options.clientMetadata } }),
  };
}

/** The region a pool id starts with (`eu-west-1_AbC` is in `eu-west-1`). @internal */
export function regionOf(userPoolId: string): string {
  const [prefix] = userPoolId.split('_');
  return prefix && /^[a-z]{2}(-[a-z]+)+-\d$/.test(prefix) ? prefix : 'us-east-1';
}
