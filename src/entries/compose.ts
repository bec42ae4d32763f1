/**
 * `cognito-profile-sync/compose`: the PostConfirmation sync as a step, the one-line wrapper of
 * an existing handler, and `asWelcome`, for CommonJS projects (see
 * `cognito-profile-sync/post-confirmation`).
 *
 * @module cognito-profile-sync/compose
 */
export { asWelcome, compose, profileSync, withProfileSync } from '../compose.js';
export type { ProfileSyncStepOptions, RunExisting, RunNext, Step, WithProfileSyncOptions } from '../compose.js';
export type { ProfileSyncOptions } from '../postConfirmation.js';
export type { WelcomeContext, WelcomeSender, WelcomeStep } from '../welcome/step.js';
export type { AnyTriggerHandler, TriggerHandler } from '../types.js';
export * from './errors.js';
