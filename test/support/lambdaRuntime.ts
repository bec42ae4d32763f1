import type { Context } from 'aws-lambda';

/** A handler as the nodejs24.x runtime calls it: event and context in, a promise out. */
export type Nodejs24Handler = (event: unknown, context: Context) => Promise<unknown>;

/** What the runtime reports when it refuses a handler at start-up. */
export class CallbackHandlerRefusedError extends Error {
  override readonly name = 'Runtime.CallbackHandlerDeprecated';
}

/**
 * Loads `module[name]` the way the `nodejs24.x` runtime does, and returns it as that runtime
 * calls it. The runtime (aws-lambda-nodejs-runtime-interface-client 4, `UserFunctionLoader`
 * and `errorOnDeprecatedCallback`) applies two rules that decide whether a callback-style
 * handler can run at all:
 * - a handler that declares three or more parameters (`handler.length >= 3`, whether or not it
 *   is `async`) is refused when the function starts, unless it is a response-streaming handler;
 * - the handler is called as `handler(event, context)`, with no callback, and the value its
 *   promise resolves to is the invocation's result.
 * nodejs22.x and older pass a callback as the third argument and accept either style.
 */
export function loadAsNodejs24(module: Record<string, unknown>, name = 'handler'): Nodejs24Handler {
  const handler = module[name];
  if (typeof handler !== 'function') throw new TypeError(`${name} is not a function`);
  if (handler.length >= 3) {
    throw new CallbackHandlerRefusedError(
      `${name} declares ${handler.length} parameters: nodejs24.x no longer runs callback-based handlers`,
    );
  }
  return async (event, context) => (handler as (event: unknown, context: Context) => unknown)(event, context);
}
