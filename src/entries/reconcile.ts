/**
 * `cognito-profile-sync/reconcile`: reconcile and its scheduled handler alone, for CommonJS
 * projects (see `cognito-profile-sync/post-confirmation`).
 *
 * @module cognito-profile-sync/reconcile
 */
export { reconcile } from '../reconcile/run.js';
export type { ReconcileOptions, ReconcileRunOptions, ReconcileSettings } from '../reconcile/options.js';
export type { ReconcileFailure, ReconcileReport } from '../reconcile/report.js';
export { createReconcileHandler, RECONCILE_CURSOR_KEY } from '../reconcile/scheduledHandler.js';
export type { ReconcileHandlerOptions } from '../reconcile/scheduledHandler.js';
export * from './errors.js';
