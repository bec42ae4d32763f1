/**
 * `cognito-profile-sync/lambda/admin-changes`: the ready handler for the EventBridge rule on
 * CloudTrail's Cognito user-pool calls, configured by `TABLE_NAME`, `PARTITION_KEY`,
 * `USER_POOL_ID`, `ON_DELETE` (`mark` or `delete`) and `ERASE_TABLES` (JSON: the tables to
 * erase a deleted user's items from).
 *
 * @example
 * ```ts
 * export { handler } from 'cognito-profile-sync/lambda/admin-changes';
 * ```
 *
 * @module cognito-profile-sync/lambda/admin-changes
 */
import { adminChangesFromEnvironment } from './handlers.js';

export const handler = adminChangesFromEnvironment(process.env);
