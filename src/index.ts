/**
 * `cognito-profile-sync`: Cognito Lambda trigger handlers that keep a DynamoDB profile
 * table in step with a User Pool. Every export is listed here by name.
 */

// Handlers and composition
export { createPostConfirmationHandler } from './postConfirmation.js';
export { createPreTokenGenerationHandler } from './preTokenGeneration.js';
export type { PreTokenGenerationEvent, PreTokenGenerationOptions } from './preTokenGeneration.js';
export type { ClaimsOption, ClaimValue } from './claims.js';
// For infrastructure code (the CDK construct) that checks claims before a deployment.
export { isReservedClaim } from './claims.js';
export { ADMIN_CHANGE_EVENT_NAMES, createAdminChangeHandler } from './adminChanges.js';
export type {
  AdminChangeOptions,
  AdminChangeOutcome,
  AdminChangeResult,
  CloudTrailDetail,
  CognitoApiCallEvent,
} from './adminChanges.js';
export type { CognitoClientOption } from './cognitoUsers.js';
export { reconcile } from './reconcile.js';
export type {
  ReconcileFailure,
  ReconcileOptions,
  ReconcileReport,
  ReconcileRunOptions,
  ReconcileSettings,
} from './reconcile.js';
export { createReconcileHandler, RECONCILE_CURSOR_KEY } from './reconcileHandler.js';
export type { ReconcileHandlerOptions } from './reconcileHandler.js';
export type { BackoffOptions } from './backoff.js';
export { asWelcome, compose, profileSync, withProfileSync } from './compose.js';
export type { ProfileSyncStepOptions, RunExisting, RunNext, Step, WithProfileSyncOptions } from './compose.js';
export type { ProfileSyncOptions, SyncResult } from './profileSync.js';
export type { DeadlineOptions } from './deadline.js';
export type { TableOption } from './table.js';

// Welcome
export { sesWelcomeEmail } from './welcome.js';
export type { SesWelcomeEmailOptions } from './welcome.js';
export type { WelcomeContext, WelcomeSender } from './welcomeOnce.js';
export { escapeHtml } from './template.js';
export type { Template } from './template.js';

// Mapping
export { combineMappers, customAttributes, defaultProfile, pickFields, renameFields } from './mapping.js';

// Constants
export { MAX_ITEM_BYTES, PostConfirmationSource, SyncOutcome, WelcomeAttribute, WelcomeOutcome } from './constants.js';

// Errors
export {
  CognitoReadError,
  ConfigurationError,
  DeadlineExceededError,
  InvalidEventError,
  InvalidProfileError,
  ProfileSyncError,
  ProfileReadError,
  ProfileWriteError,
  ReconcileError,
  WelcomeError,
  isCognitoReadError,
  isConfigurationError,
  isDeadlineExceededError,
  isInvalidEventError,
  isInvalidProfileError,
  isProfileSyncError,
  isProfileReadError,
  isProfileWriteError,
  isReconcileError,
  isWelcomeError,
} from './errors.js';

// Types
export type {
  AnyTriggerHandler,
  AttributeMapper,
  Logger,
  MappingContext,
  Profile,
  TriggerHandler,
  UserAttributes,
} from './types.js';
