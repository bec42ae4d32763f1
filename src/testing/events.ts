/**
 * The event builders under their former module path, which `src/demo/` imports.
 * @internal
 */
export { buildPostConfirmationEvent } from './postConfirmationEvent.js';
export type { PostConfirmationEventOptions } from './postConfirmationEvent.js';
export { buildPreTokenGenerationEvent } from './preTokenGenerationEvent.js';
export type { PreTokenGenerationEventOptions } from './preTokenGenerationEvent.js';
export { buildCognitoApiCallEvent } from './cognitoApiCallEvent.js';
export type { CognitoApiCallEventOptions } from './cognitoApiCallEvent.js';
