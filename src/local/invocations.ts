import type { LocalTriggerName } from './triggers.js';

/**
 * One call the Lambda Invoke endpoint received and answered, kept so tests can see what a
 * trigger got and returned: the event as Cognito sent it, each call Cognito made again
 * after its 5 s limit, the error a failing call answered.
 *
 * @example
 * ```ts
 * const failed = stack.invocations.filter((call) => call.errored);
 * expect(failed[0]?.errorMessage).toBe('table missing');
 * ```
 */
export interface LocalInvocation {
  /** The trigger the call was routed to, such as `'PostConfirmation'`. */
  readonly trigger: LocalTriggerName;
  /** The function name in the Invoke request. */
  readonly functionName: string;
  /** `event.triggerSource`, such as `'PostConfirmation_ConfirmSignUp'`. */
  readonly triggerSource: string | undefined;
  /** `event.userName`: the user's `sub` when email is the username attribute. */
  readonly userName: string | undefined;
  /** The event as the handler received it. */
  readonly event: unknown;
  /** The request id given to the handler's context. */
  readonly awsRequestId: string;
  /** True when the endpoint answered with `X-Amz-Function-Error` (the handler threw or timed out). */
  readonly errored: boolean;
  /** Set when errored: the error's name, or `Sandbox.Timedout`. */
  readonly errorType?: string;
  /** Set when errored: the error's message. */
  readonly errorMessage?: string;
  /** The handler's result when it did not error. */
  readonly result?: unknown;
  /** Time from the request to the answer. */
  readonly durationMs: number;
}
