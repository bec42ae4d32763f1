/**
 * `cognito-profile-sync/lambda/pre-token-generation`: the ready PreTokenGeneration handler
 * (V1, V2 and V3 events), configured by `TABLE_NAME`, `PARTITION_KEY`, the claims as JSON in
 * `CLAIMS` and `ACCESS_TOKEN_CLAIMS` (`{"plan":"plan"}`) and, for the welcome of users made by
 * `AdminCreateUser` at their first sign-in, the same `WELCOME_*` variables as PostConfirmation.
 *
 * @example
 * ```ts
 * export { handler } from 'cognito-profile-sync/lambda/pre-token-generation';
 * ```
 *
 * @module cognito-profile-sync/lambda/pre-token-generation
 */
import { preTokenGenerationFromEnvironment } from './handlers.js';

export const handler = preTokenGenerationFromEnvironment(process.env);
