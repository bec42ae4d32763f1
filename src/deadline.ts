import type { Context } from 'aws-lambda';
import { definedOnly } from './options.js';
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
}

/** @internal */
export function validateDeadlineOptions(options: DeadlineOptions): Required<DeadlineOptions> {
  const given = definedOnly({ deadlineMs: options.deadlineMs, safetyMarginMs: options.safetyMarginMs });
  const merged = { ...deadlineDefaults, ...given };
  for (const name of ['deadlineMs', 'safetyMarginMs'] as const) {
    const value = merged[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigurationError(name, 'must be a non-negative number of milliseconds');
    }
  }
  if (merged.deadlineMs === 0) throw new ConfigurationError('deadlineMs', 'must be greater than zero');
  return merged;
}

function contextRemaining(context: Context | undefined): number | undefined {
  try {
    const remaining = context?.getRemainingTimeInMillis?.();
    return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the clock for one invocation: the lesser of `deadlineMs` and the context's
 * remaining time less `safetyMarginMs`.
 *
 * @internal
 */
export function startDeadline(context: Context | undefined, options: Required<DeadlineOptions>): Deadline {
  const startedAt = Date.now();
  const fromContext = contextRemaining(context);
  const budgetMs = Math.max(
    0,
    fromContext === undefined ? options.deadlineMs : Math.min(options.deadlineMs, fromContext - options.safetyMarginMs),
  );
  const remaining = () => budgetMs - (Date.now() - startedAt);

  return {
    budgetMs,
    remaining,
    async run(operation, step, reserveMs = 0) {
      const left = remaining() - reserveMs;
      if (left <= 0) throw new DeadlineExceededError(operation, budgetMs);
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new DeadlineExceededError(operation, budgetMs);
          controller.abort(error);
          reject(error);
        }, left);
      });
      try {
        return await Promise.race([step(controller.signal), expired]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
