/**
 * `cognito-profile-sync/lambda/post-confirmation`: the ready PostConfirmation handler,
 * configured by `TABLE_NAME`, `PARTITION_KEY` and, for the welcome, `WELCOME_FROM`,
 * `WELCOME_SUBJECT`, `WELCOME_TEXT`, `WELCOME_HTML`.
 *
 * @example
 * ```ts
 * // handler file of your function, or the Lambda handler setting directly
 * export { handler } from 'cognito-profile-sync/lambda/post-confirmation';
 * ```
 *
 * @module cognito-profile-sync/lambda/post-confirmation
 */
import { postConfirmationFromEnvironment } from './handlers.js';

export const handler = postConfirmationFromEnvironment(process.env);
