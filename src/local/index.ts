/**
 * `cognito-profile-sync/local`: an embedded local stack (dynalite, cognito-local with a
 * Lambda Invoke endpoint for triggers, aws-ses-v2-local) for integration tests without an
 * AWS account. The emulators are optional peer dependencies. Every export is listed here.
 *
 * @module cognito-profile-sync/local
 */

// Starting and stopping
export { startLocalStack } from './startLocalStack.js';
export type { LocalStack } from './startLocalStack.js';
export type { LocalStackOptions } from './options.js';
export type { PreTokenGenerationVersion } from './tokenOverrides.js';

// Pointing other code at the stack
export { applyEnv } from './env.js';
export type { LocalEnv } from './env.js';
export type { LocalClients } from './clients.js';
export type { LocalEndpoints } from './endpoints.js';

// Triggers and what they did
export type { LocalTriggerHandler, LocalTriggerHandlers, LocalTriggerName } from './triggers.js';
export type { LocalInvocation } from './invocations.js';

// The user pool and sent mail
export type { LocalCustomAttribute, LocalUserPoolOptions } from './userPool.js';
export type { SentMail } from './ses.js';

// Errors
export { LocalStackError, isLocalStackError } from './errors.js';
