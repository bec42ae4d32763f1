import {
  createAdminChangeHandler,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  createReconcileHandler,
} from '../index.js';
import { claimsFrom, erasureFrom, fromEnvironment, oneOf, tableFrom, userPoolIdFrom, Variable, welcomeFrom, wholeNumberFrom, type Environment } from './environment.js';

/**
 * The ready handlers, each made from the environment. The entry modules call these once at
 * cold start; a wrong or missing variable fails there, naming the variable.
 */

/** PostConfirmation: `TABLE_NAME`, `PARTITION_KEY`, and the `WELCOME_*` variables. @internal */
export function postConfirmationFromEnvironment(env: Environment) {
  return fromEnvironment(() => createPostConfirmationHandler({ table: tableFrom(env), ...welcomeFrom(env) }));
}

/**
 * PreTokenGeneration: `TABLE_NAME`, `PARTITION_KEY`, `CLAIMS`, `ACCESS_TOKEN_CLAIMS`, and the
 * `WELCOME_*` variables: the welcome of users made by `AdminCreateUser`, at their first sign-in.
 * @internal
 */
export function preTokenGenerationFromEnvironment(env: Environment) {
  return fromEnvironment(() =>
    createPreTokenGenerationHandler({
      table: tableFrom(env),
      claims: claimsFrom(env, Variable.claims),
      accessTokenClaims: claimsFrom(env, Variable.accessTokenClaims),
      ...welcomeFrom(env),
    }),
  );
}

/** Admin changes: `TABLE_NAME`, `PARTITION_KEY`, `USER_POOL_ID`, `ON_DELETE`, `ERASE_TABLES`. @internal */
export function adminChangesFromEnvironment(env: Environment) {
  return fromEnvironment(() =>
    createAdminChangeHandler({
      table: tableFrom(env),
      userPoolId: userPoolIdFrom(env),
      onDelete: oneOf(env, Variable.onDelete, ['mark', 'delete'] as const),
      ...erasureFrom(env),
    }),
  );
}

/** Scheduled reconcile: `TABLE_NAME`, `PARTITION_KEY`, `USER_POOL_ID`, `ORPHANS`, `ORPHAN_SLICES`, `WELCOME_*`, `ERASE_TABLES`. @internal */
export function reconcileFromEnvironment(env: Environment) {
  return fromEnvironment(() =>
    createReconcileHandler({
      table: tableFrom(env),
      userPoolId: userPoolIdFrom(env),
      orphans: oneOf(env, Variable.orphans, ['report', 'mark', 'delete'] as const),
      orphanSlices: wholeNumberFrom(env, Variable.orphanSlices),
      ...welcomeFrom(env),
      ...erasureFrom(env),
    }),
  );
}
