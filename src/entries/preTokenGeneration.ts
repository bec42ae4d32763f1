/**
 * `cognito-profile-sync/pre-token-generation`: the sign-in sync alone, for CommonJS projects
 * (see `cognito-profile-sync/post-confirmation`). Errors, guards and mappers are here too.
 *
 * @module cognito-profile-sync/pre-token-generation
 */
export { createPreTokenGenerationHandler } from '../preTokenGeneration.js';
export type { PreTokenGenerationEvent, PreTokenGenerationOptions } from '../preTokenGeneration.js';
export type { ClaimsOption, ClaimValue } from '../claims.js';
export * from './errors.js';
