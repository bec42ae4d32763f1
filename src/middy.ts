/**
 * `cognito-profile-sync/middy`: the library's steps as `@middy/core` middlewares. Typed
 * structurally, so Middy stays an optional peer dependency.
 *
 * @module cognito-profile-sync/middy
 */
import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { checkRunNext, type ProfileSyncStepOptions } from './compose.js';
import { SyncOutcome } from './constants.js';
import { BARE_FUNCTIONS, createSyncCore } from './postConfirmation.js';
import { createPreTokenGenerationHandler, type PreTokenGenerationEvent, type PreTokenGenerationOptions } from './preTokenGeneration.js';

/** The part of a Middy request the middlewares use. */
export interface MiddyRequest<TEvent> {
  event: TEvent;
  context: Context;
  response: unknown;
}

/** A Middy middleware object, as `@middy/core` expects it. */
export interface MiddyMiddleware<TEvent> {
  before?: (request: MiddyRequest<TEvent>) => Promise<unknown>;
}

/**
 * The PostConfirmation profile sync (and once-only welcome) as a Middy middleware. It runs
 * before the handler; with `runNext: 'unless-skipped'` it answers skipped sources itself
 * (forgot-password by default) and the handler does not run.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { profileSyncMiddleware } from 'cognito-profile-sync/middy';
 *
 * export const handler = middy(day10Handler).use(profileSyncMiddleware({ table: process.env.DDB_TABLE! }));
 * ```
 */
export function profileSyncMiddleware(
  options: ProfileSyncStepOptions,
): MiddyMiddleware<PostConfirmationTriggerEvent> {
  const runNext = checkRunNext(options?.runNext);
  const sync = createSyncCore(options, BARE_FUNCTIONS);
  return {
    async before(request) {
      const result = await sync(request.event, request.context);
      // Middy skips the handler when a `before` returns a value.
      if (result.outcome === SyncOutcome.Skipped && runNext === 'unless-skipped') return request.event;
      return undefined;
    },
  };
}

/**
 * The sign-in sync as a Middy middleware: before the handler runs, the row is synced and
 * the profile claims are set on `event.response`, so the handler can read or add to them.
 * It takes every option of `createPreTokenGenerationHandler`: with `onWelcome`, the first
 * sign-in of an admin-created user gets the once-only welcome before the handler runs.
 *
 * @example
 * ```ts
 * export const handler = middy(existing).use(
 *   preTokenGenerationMiddleware({ table: 'profiles', claims: { plan: 'plan' }, onWelcome: sesWelcomeEmail({ ... }) }),
 * );
 * ```
 */
export function preTokenGenerationMiddleware(options: PreTokenGenerationOptions): MiddyMiddleware<PreTokenGenerationEvent> {
  const sync = createPreTokenGenerationHandler(options);
  return {
    async before(request) {
      await sync(request.event, request.context);
      return undefined;
    },
  };
}
