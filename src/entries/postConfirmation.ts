/**
 * `cognito-profile-sync/post-confirmation`: the PostConfirmation handler alone, for bundles,
 * CommonJS ones above all, whose bundler cannot leave out what a handler does not use from
 * the root entry. Its `onWelcome` takes only a welcome step (`welcomeStep(fn)` and
 * `sesWelcomeEmail` are in `cognito-profile-sync/welcome`, `asWelcome` with the step and the
 * wrapper in `cognito-profile-sync/compose`) and its `mapAttributes` only a mapper
 * (`profileMapper(fn)` and the helpers of `cognito-profile-sync/mapping`), so a handler
 * bundles only what it was given: without a welcome, none of the once-only protocol; with
 * the default mapping, none of a custom mapper's full check. The errors are those the
 * handler throws: a CommonJS bundle keeps every class an entry point exports.
 *
 * @module cognito-profile-sync/post-confirmation
 */
export { createStepPostConfirmationHandler as createPostConfirmationHandler } from '../postConfirmation.js';
export type { ProfileSyncOptions, SyncResult } from '../postConfirmation.js';
export { PostConfirmationSource, SyncOutcome, WelcomeDelivery, WelcomeOutcome } from '../constants.js';
export type { WelcomeContext, WelcomeSender, WelcomeStep } from '../welcome/step.js';
export type { ProfileMapper } from '../store/profileItem.js';
export type { AnyTriggerHandler, AttributeMapper, Logger, LogRecord, MappingContext, Profile, TriggerHandler, UserAttributes } from '../types.js';
export {
  ConfigurationError,
  DeadlineExceededError,
  InvalidEventError,
  InvalidProfileError,
  ProfileSyncError,
  ProfileWriteError,
  isConfigurationError,
  isDeadlineExceededError,
  isInvalidEventError,
  isInvalidProfileError,
  isProfileSyncError,
  isProfileWriteError,
} from '../errors.js';
