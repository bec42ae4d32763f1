import type { Context } from 'aws-lambda';
import { ProfileSyncError } from './errors.js';
import { kindOf } from './triggerEvent.js';
import type { AnyTriggerHandler, TriggerHandler } from './types.js';

/**
 * Turns a handler written in either Lambda style (async, or with a callback) into an async
 * one. Trigger handlers must hand the event back to Cognito, so a handler that returns
 * nothing resolves to the event it was given.
 *
 * A rejected promise or a throw is a failure whatever its reason: `undefined`, `null` or a
 * string fail as an `Error` does (a reason that is not an `Error` is wrapped by `wrap`).
 * Only a callback called with `null` or `undefined` as its error is a success, as in Lambda.
 *
 * @internal
 */
export function toAsyncHandler<TEvent>(
  handler: AnyTriggerHandler<TEvent>,
  wrap: (kind: string) => Error = (kind) => new ProfileSyncError(`The wrapped handler failed with ${kind}, not an Error`),
): TriggerHandler<TEvent> {
  return (event: TEvent, context: Context) =>
    new Promise<TEvent>((resolve, reject) => {
      let settled = false;
      const succeed = (result: TEvent | null | undefined) => {
        if (settled) return;
        settled = true;
        resolve(result ?? event);
      };
      const fail = (reason: unknown) => {
        if (settled) return;
        settled = true;
        reject(rejectionError(reason, wrap));
      };
      const callback = (error?: unknown, result?: TEvent) => {
        if (error === undefined || error === null) succeed(result);
        else fail(error);
      };
      try {
        const returned = handler(event, context, callback);
        if (isThenable<TEvent | undefined>(returned)) returned.then(succeed, fail);
        else if (handler.length < 3) succeed(returned as TEvent | undefined);
      } catch (error) {
        fail(error);
      }
    });
}

/**
 * The error a rejection stands for: the reason itself when it is an `Error` (or error-like,
 * from another realm), else `wrap` given the reason's kind, never its value (a string
 * reason can quote an address).
 *
 * @internal
 */
export function rejectionError(reason: unknown, wrap: (kind: string) => Error): Error {
  if (reason instanceof Error) return reason;
  if (typeof reason === 'object' && reason !== null) {
    const { name, message } = reason as { name?: unknown; message?: unknown };
    if (typeof name === 'string' && typeof message === 'string') return reason as Error;
  }
  return wrap(kindOf(reason));
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
