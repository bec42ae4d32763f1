/**
 * `cognito-profile-sync/lambda/pre-token-generation`: the ready PreTokenGeneration handler
 * (V1, V2 and V3 events), configured by `TABLE_NAME`, `PARTITION_KEY`, and the claims as
 * JSON in `CLAIMS` and `ACCESS_TOKEN_CLAIMS` (`{"plan":"plan"}`).
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
