/**
 * `cognito-profile-sync/post-confirmation`: the PostConfirmation handler alone. Same functions
 * as the root entry; for CommonJS projects, whose bundler cannot leave out what a handler
 * does not use from the root entry. The error family is here too; the step, the wrapper and
 * `asWelcome` are in `cognito-profile-sync/compose`, the mappers in `cognito-profile-sync/mapping`.
 *
 * @module cognito-profile-sync/post-confirmation
 */
export { createStepPostConfirmationHandler as createPostConfirmationHandler } from '../postConfirmation.js';
export type { ProfileSyncOptions, SyncResult } from '../postConfirmation.js';
export { PostConfirmationSource, SyncOutcome, WelcomeDelivery, WelcomeOutcome } from '../constants.js';
export type { WelcomeContext, WelcomeSender, WelcomeStep } from '../welcome/step.js';
export type { AnyTriggerHandler, TriggerHandler } from '../types.js';
// The error family, as every per-handler entry point has it.
export * from './errors.js';
