/**
 * `cognito-profile-sync/lambda/reconcile`: the ready scheduled reconcile, configured by
 * `TABLE_NAME`, `PARTITION_KEY`, `USER_POOL_ID`, `ORPHANS` (`report`, `mark` or `delete`),
 * the `WELCOME_*` variables (pending welcomes are finished with the same mail) and
 * `ERASE_TABLES` (orphans' and pending erasures).
 *
 * @example
 * ```ts
 * export { handler } from 'cognito-profile-sync/lambda/reconcile';
 * ```
 *
 * @module cognito-profile-sync/lambda/reconcile
 */
import { reconcileFromEnvironment } from './handlers.js';

export const handler = reconcileFromEnvironment(process.env);
