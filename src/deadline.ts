import type { Context } from 'aws-lambda';
import { ConfigurationError, DeadlineExceededError } from './errors.js';

/** When an invocation must settle. */
export interface DeadlineOptions {
  /**
   * The most an invocation may take, in milliseconds. Cognito waits about 5 s for a trigger.
   * @default 4500
   */
  deadlineMs?: number;
  /**
   * Kept back from the Lambda context's remaining time, so that the handler settles (and
   * logs) before Lambda stops it.
   * @default 500
   */
  safetyMarginMs?: number;
}

/** @internal */
export const deadlineDefaults = { deadlineMs: 4500, safetyMarginMs: 500 } as const;

/** One invocation's time budget. @internal */
export interface Deadline {
  /** The budget this invocation works to, in milliseconds from its start. */
  readonly budgetMs: number;
  /** Milliseconds left; zero or less once the deadline has passed. */
  remaining(): number;
  /**
   * Runs one step under the deadline: the step gets an `AbortSignal` to pass to SDK calls,
   * and the returned promise rejects with `DeadlineExceededError` when time runs out even
   * if the step ignores the signal. `reserveMs` ends the step that much earlier, keeping
   * time for what must follow it.
   */
  run<T>(operation: string, step: (signal: AbortSignal) => Promise<T>, reserveMs?: number): Promise<T>;
  /**
   * Runs a step whose requests end on their own (a client with request timeouts), with no
   * signal: it still rejects with `DeadlineExceededError` when time runs out, and leaves the
   * request to its timeout. Saves the SDK the abort listeners it sets per call, and keeps its
   * cached middleware usable.
   */
  race<T>(operation: string, step: () => Promise<T>): Promise<T>;
}

/** @internal */
export function validateDeadlineOptions(options: DeadlineOptions): Required<DeadlineOptions> {
  return {
    deadlineMs: checkMs('deadlineMs', 'positive', options.deadlineMs),
    safetyMarginMs: checkMs('safetyMarginMs', 'non-negative', options.safetyMarginMs),
  };
}

/** The option's value, or its default when it is not set. */
function checkMs(option: keyof DeadlineOptions, sign: 'positive' | 'non-negative', value: unknown = deadlineDefaults[option]): number {
  if (typeof value !== 'number' || !(sign === 'positive' ? value > 0 : value >= 0) || value === Infinity) {
    throw new ConfigurationError(option, `must be a ${sign} number of milliseconds`);
  }
  return value;
}

/** The context's remaining time, or `Infinity` when it does not say (a test's context, say). */
function contextRemaining(context: Context | undefined): number {
  try {
    const remaining = context?.getRemainingTimeInMillis?.();
    if (typeof remaining === 'number' && Number.isFinite(remaining)) return remaining;
  } catch {
    // As a context without the method: the deadline alone applies.
  }
  return Infinity;
}

/**
 * Starts the clock for one invocation: the lesser of `deadlineMs` and the context's
 * remaining time less `safetyMarginMs`.
 *
 * @internal
 */
export function startDeadline(context: Context | undefined, options: Required<DeadlineOptions>): Deadline {
  const startedAt = Date.now();
  const budgetMs = Math.max(0, Math.min(options.deadlineMs, contextRemaining(context) - options.safetyMarginMs));
  const remaining = () => budgetMs - (Date.now() - startedAt);

  /*
   * One timer per step, cleared as the step settles; the promise settles with the step or
   * with DeadlineExceededError, whichever comes first (a step that settles later is ignored).
   * A step run with a `controller` has it aborted with that error.
   */
  function settle<T>(operation: string, reserveMs: number, step: () => Promise<T>, controller?: AbortController): Promise<T> {
    const left = remaining() - reserveMs;
    if (left <= 0) return Promise.reject(new DeadlineExceededError(operation, budgetMs));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new DeadlineExceededError(operation, budgetMs);
        controller?.abort(error);
        reject(error);
      }, left);
      const finish =
        <V>(settleWith: (outcome: V) => void) =>
        (outcome: V) => {
          clearTimeout(timer);
          settleWith(outcome);
        };
      try {
        step().then(finish(resolve), finish(reject));
      } catch (error) {
        finish(reject)(error);
      }
    });
  }

  return {
    budgetMs,
    remaining,
    run(operation, step, reserveMs = 0) {
      const controller = new AbortController();
      return settle(operation, reserveMs, () => step(controller.signal), controller);
    },
    race: (operation, step) => settle(operation, 0, step),
  };
}
