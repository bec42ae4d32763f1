/**
 * `cognito-profile-sync/testing`: builders of Cognito trigger events, CloudTrail events and
 * Lambda contexts with the fields, types and values AWS sends, for users' own tests. No test
 * framework is required. The events pass Powertools for AWS Lambda's parser schemas (see
 * docs/testing.md for the exceptions Cognito itself makes).
 *
 * @module cognito-profile-sync/testing
 */
export { buildLambdaContext } from './context.js';
export type { LambdaContextOptions } from './context.js';
export type { TriggerEventOptions } from './triggerBase.js';
export { buildPostConfirmationEvent } from './postConfirmationEvent.js';
export type { PostConfirmationEventOptions } from './postConfirmationEvent.js';
export { buildPreTokenGenerationEvent } from './preTokenGenerationEvent.js';
export type {
  EventOfVersion,
  GroupConfigurationOption,
  PreTokenGenerationCommonOptions,
  PreTokenGenerationEventOf,
  PreTokenGenerationEventOptions,
  PreTokenGenerationV1EventOptions,
  PreTokenGenerationV2EventOptions,
  PreTokenGenerationV3Event,
  PreTokenGenerationV3EventOptions,
} from './preTokenGenerationEvent.js';
export { buildCognitoApiCallEvent } from './cognitoApiCallEvent.js';
export type { CognitoApiCallEventOptions, RedactionMarker } from './cognitoApiCallEvent.js';
export { buildKinesisStreamEvent, buildSqsEvent } from './batchEvents.js';
export type { BatchPayload, KinesisStreamEventOptions, SqsEventOptions } from './batchEvents.js';
