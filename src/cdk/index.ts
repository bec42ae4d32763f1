/**
 * `cognito-profile-sync/cdk`: the `ProfileSync` construct. Needs `aws-cdk-lib` and
 * `constructs` (optional peer dependencies of the package); none of it reaches a Lambda bundle.
 *
 * @module cognito-profile-sync/cdk
 */
export { ProfileSync } from './profileSync.js';
export type {
  ProfileSyncAdminChanges,
  ProfileSyncErasure,
  ProfileSyncErasureTable,
  ProfileSyncFunctions,
  ProfileSyncHandlerEntry,
  ProfileSyncHandlers,
  ProfileSyncPreTokenGeneration,
  ProfileSyncProps,
  ProfileSyncReconcile,
  ProfileSyncWelcome,
} from './props.js';
