import { ProfileSyncError, isProfileSyncError } from '../errors.js';

/**
 * The local stack could not start, stop or answer a helper call: an optional peer
 * dependency is missing, a server did not listen, a user has no pending code. `cause` holds
 * the underlying error when there is one.
 *
 * @example
 * ```ts
 * try { stack = await startLocalStack(); } catch (error) {
 *   if (isLocalStackError(error)) console.error(error.message); // e.g. which package to install
 *   throw error;
 * }
 * ```
 */
export class LocalStackError extends ProfileSyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackError';
  }
}

/**
 * True for a {@link LocalStackError}, also one thrown by another copy of the package.
 *
 * @example
 * ```ts
 * if (isLocalStackError(error)) console.error(error.message);
 * ```
 */
export const isLocalStackError = (error: unknown): error is LocalStackError =>
  isProfileSyncError(error) && error.name === 'LocalStackError';
