/**
 * The error family and its guards, and the types every handler's options name, for the
 * per-handler entry points: each of them exports these (but `post-confirmation`, which keeps
 * to the errors its handler throws), so that `instanceof` works against the copy its bundle
 * holds. The guards work across copies whatever the entry point. (The
 * mappers have an entry point of their own, `cognito-profile-sync/mapping`.)
 */
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
} from '../errors.js';
export type { AttributeMapper, Logger, LogRecord, MappingContext, Profile, UserAttributes } from '../types.js';
