/**
 * `cognito-profile-sync/welcome`: the SES welcome sender alone, for CommonJS projects (see
 * `cognito-profile-sync/post-confirmation`).
 *
 * @module cognito-profile-sync/welcome
 */
export { sesWelcomeEmail } from '../welcome/sesWelcomeEmail.js';
export type { SesWelcomeEmailOptions } from '../welcome/sesWelcomeEmail.js';
export { escapeHtml } from '../welcome/template.js';
export type { Template } from '../welcome/template.js';
export { welcomeStep } from '../welcome/once.js';
export type { WelcomeContext, WelcomeSender, WelcomeStep } from '../welcome/step.js';
export * from './errors.js';
