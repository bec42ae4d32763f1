/**
 * `cognito-profile-sync`: Cognito Lambda trigger handlers that keep a DynamoDB profile
 * table in step with a User Pool. Every export is listed here by name.
 *
 * @module cognito-profile-sync
 */

// Handlers and composition
export { createPostConfirmationHandler } from './postConfirmation.js';
export type { ProfileSyncOptions, SyncResult } from './postConfirmation.js';
export { createPreTokenGenerationHandler } from './preTokenGeneration.js';
export type { PreTokenGenerationEvent, PreTokenGenerationOptions } from './preTokenGeneration.js';
export type { ClaimsOption, ClaimValue } from './claims.js';
// For infrastructure code (the CDK construct) that checks claims before a deployment.
export { isReservedClaim } from './claims.js';
export { ADMIN_CHANGE_EVENT_NAMES, AdminChangeOutcome, createAdminChangeHandler, IgnoredReason } from './adminChanges.js';
export type {
  AdminChangeOptions,
  AdminChangeResult,
  CloudTrailDetail,
  CognitoApiCallEvent,
} from './adminChanges.js';
export { createAdminChangeBatchHandler } from './adminChanges/batch.js';
export type { AdminChangeBatchEvent, AdminChangeBatchHandler, AdminChangeBatchOptions } from './adminChanges/batch.js';
export type { CognitoClientOption } from './cognitoUsers.js';
// Erasure when a user leaves (the admin-change handler's and reconcile's `onUserDeleted`)
export { ErasureOutcome, ErasureReason } from './erasure/once.js';
export type { UserDeletedContext, UserDeletedHandler } from './erasure/once.js';
export { eraseFromTables } from './erasure/eraseFromTables.js';
export type { EraseFromTablesOptions, ErasedItems, EraseTable } from './erasure/eraseFromTables.js';
export { ErasureAttribute } from './store/erasure.js';
export { reconcile } from './reconcile/run.js';
export type { ReconcileOptions, ReconcileRunOptions, ReconcileSettings } from './reconcile/options.js';
export type { ReconcileFailure, ReconcileReport } from './reconcile/report.js';
export { createReconcileHandler, RECONCILE_CURSOR_KEY } from './reconcile/scheduledHandler.js';
export type { ReconcileHandlerOptions } from './reconcile/scheduledHandler.js';
export type { BackoffOptions } from './backoff.js';
export { asWelcome, compose, profileSync, withProfileSync } from './compose.js';
export type { ProfileSyncStepOptions, RunExisting, RunNext, Step, WithProfileSyncOptions } from './compose.js';
export type { DeadlineOptions } from './deadline.js';
export type { ProfileTableOptions, WelcomeDeliveryOption } from './options.js';
export type { SdkClient, SdkClientConfig } from './sdkClient.js';
export type { TableFields, TableOption } from './store/table.js';

// Welcome
export { sesWelcomeEmail } from './welcome/sesWelcomeEmail.js';
export type { SesWelcomeEmailFields, SesWelcomeEmailOptions } from './welcome/sesWelcomeEmail.js';
export { welcomeStep } from './welcome/once.js';
export type { WelcomeContext, WelcomeSender, WelcomeStep } from './welcome/step.js';
export { escapeHtml } from './welcome/template.js';
export type { Template } from './welcome/template.js';

// Mapping
export { combineMappers, customAttributes, defaultProfile, pickFields, profileMapper, renameFields } from './mapping.js';
export type { ProfileMapper } from './store/profileItem.js';

// Constants
export { MAX_ITEM_BYTES, PostConfirmationSource, SyncOutcome, WelcomeAttribute, WelcomeDelivery, WelcomeOutcome } from './constants.js';

// Errors
export {
  ClaimError,
  CognitoReadError,
  ConfigurationError,
  DeadlineExceededError,
  ErasureError,
  InvalidEventError,
  InvalidProfileError,
  ProfileSyncError,
  ProfileReadError,
  ProfileWriteError,
  ReconcileError,
  WelcomeError,
  isClaimError,
  isCognitoReadError,
  isConfigurationError,
  isDeadlineExceededError,
  isErasureError,
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
  LogRecord,
  MappingContext,
  Profile,
  TriggerHandler,
  UserAttributes,
} from './types.js';
