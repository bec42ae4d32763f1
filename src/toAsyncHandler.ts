import type { Context } from 'aws-lambda';
import type { AnyTriggerHandler, TriggerHandler } from './types.js';

/**
 * Turns a handler written in either Lambda style (async, or with a callback) into an async
 * one. Trigger handlers must hand the event back to Cognito, so a handler that returns
 * nothing resolves to the event it was given.
 *
 * @internal
 */
export function toAsyncHandler<TEvent>(handler: AnyTriggerHandler<TEvent>): TriggerHandler<TEvent> {
  return (event: TEvent, context: Context) =>
    new Promise<TEvent>((resolve, reject) => {
      let settled = false;
      const callback = (error?: unknown, result?: TEvent) => {
        if (settled) return;
        settled = true;
        if (error !== undefined && error !== null) reject(error);
        else resolve(result ?? event);
      };
      try {
        const returned = handler(event, context, callback);
        if (isThenable(returned)) {
          returned.then((result) => callback(null, result ?? undefined), callback);
        } else if (handler.length < 3) {
          callback(null, returned ?? undefined);
        }
      } catch (error) {
        callback(error);
      }
    });
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
