/**
 * `cognito-profile-sync/admin-changes`: the admin-change handlers alone (EventBridge, and
 * Kinesis or SQS batches), for CommonJS projects (see `cognito-profile-sync/post-confirmation`).
 *
 * @module cognito-profile-sync/admin-changes
 */
export { ADMIN_CHANGE_EVENT_NAMES, AdminChangeOutcome, createAdminChangeHandler, IgnoredReason } from '../adminChanges.js';
export type { AdminChangeOptions, AdminChangeResult, CloudTrailDetail, CognitoApiCallEvent } from '../adminChanges.js';
export { createAdminChangeBatchHandler } from '../adminChanges/batch.js';
export type { AdminChangeBatchEvent, AdminChangeBatchHandler, AdminChangeBatchOptions } from '../adminChanges/batch.js';
export * from './errors.js';
