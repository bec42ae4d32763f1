import type { PostConfirmationTriggerEvent } from 'aws-lambda';
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
