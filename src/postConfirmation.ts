import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { profileSync } from './compose.js';
import type { ProfileSyncOptions } from './profileSync.js';
import type { TriggerHandler } from './types.js';

/**
 * A complete PostConfirmation Lambda handler: skips forgot-password, creates the profile
 * row with a conditional write, runs the welcome once, works to a deadline, and logs one
 * line without personal data. Returns the event to Cognito.
 *
 * @example
 * ```ts
 * import { createPostConfirmationHandler, sesWelcomeEmail } from 'cognito-profile-sync';
 *
 * export const handler = createPostConfirmationHandler({
 *   table: process.env.DDB_TABLE!,
 *   onWelcome: sesWelcomeEmail({ source: process.env.SOURCE_EMAIL!, subject: 'Welcome!', text: 'Hi {{name}}' }),
 * });
 * ```
 */
export function createPostConfirmationHandler(
  options: ProfileSyncOptions,
): TriggerHandler<PostConfirmationTriggerEvent> {
  return profileSync(options)(async (event) => event);
}
