import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { PostConfirmationSource } from '../constants.js';
import { triggerBase, type TriggerEventOptions } from './triggerBase.js';

/** Options of {@link buildPostConfirmationEvent}. */
export interface PostConfirmationEventOptions extends TriggerEventOptions {
  /** @default 'PostConfirmation_ConfirmSignUp' */
  triggerSource?: PostConfirmationTriggerEvent['triggerSource'];
}

/**
 * A PostConfirmation event with the fields, types and values Cognito sends for both trigger
 * sources (`version: "1"`, string attributes, an empty `response`), for tests.
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
  const { userAttributes, clientMetadata, ...base } = triggerBase(options);
  return {
    version: '1',
    ...base,
    triggerSource: options.triggerSource ?? PostConfirmationSource.ConfirmSignUp,
    request: { userAttributes, ...(clientMetadata && { clientMetadata }) },
    response: {},
  };
}
