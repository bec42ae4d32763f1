/**
 * `cognito-profile-sync/testing`: builders of realistic Cognito trigger events and Lambda
 * contexts, for users' own tests. No test framework is required.
 */
export { buildLambdaContext } from './context.js';
export type { LambdaContextOptions } from './context.js';
export { buildCognitoApiCallEvent, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from './events.js';
export type {
  CognitoApiCallEventOptions,
  PostConfirmationEventOptions,
  PreTokenGenerationEventOptions,
} from './events.js';
