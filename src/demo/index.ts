/**
 * The demo behind `npm run demo` and `cognito-profile-sync demo`: the library's handlers on
 * an embedded local stack, telling the whole story.
 */
export { runDemo } from './story.js';
export type { DemoResult, DemoStep } from './story.js';
