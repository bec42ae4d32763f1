/**
 * `cognito-profile-sync/post-confirmation`: the PostConfirmation handler and its front ends
 * alone. Same functions as the root entry; for CommonJS projects, whose bundler cannot leave
 * out what a handler does not use from the root entry. Errors, guards and mappers are here too.
 *
 * @module cognito-profile-sync/post-confirmation
 */
export { createPostConfirmationHandler } from '../postConfirmation.js';
export type { ProfileSyncOptions, SyncResult } from '../postConfirmation.js';
export { asWelcome, compose, profileSync, withProfileSync } from '../compose.js';
export type { ProfileSyncStepOptions, RunExisting, RunNext, Step, WithProfileSyncOptions } from '../compose.js';
export { PostConfirmationSource, SyncOutcome, WelcomeDelivery, WelcomeOutcome } from '../constants.js';
export type { WelcomeContext, WelcomeSender } from '../welcome/once.js';
export type { AnyTriggerHandler, TriggerHandler } from '../types.js';
// The error family and the mappers, as every per-handler entry point has them.
export * from './errors.js';
