/** Retries with exponential backoff for throttled calls, abortable. @internal */

/** How throttled calls are retried. */
export interface BackoffOptions {
  /**
   * Tries per call, the first included. The SDK's own retries happen inside each try.
   * @default 6
   */
  attempts?: number;
  /** @default 200 */
  baseMs?: number;
  /** @default 10000 */
  maxMs?: number;
}

/** @internal */
export const backoffDefaults: Required<BackoffOptions> = { attempts: 6, baseMs: 200, maxMs: 10_000 };

const THROTTLING: ReadonlySet<string> = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** Whether the error (or the SDK error the library wrapped in it) says "slow down". @internal */
export function isThrottling(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 3; depth += 1) {
    const { name, cause, $metadata } = current as { name?: unknown; cause?: unknown; $metadata?: { httpStatusCode?: number } };
    if ((typeof name === 'string' && THROTTLING.has(name)) || $metadata?.httpStatusCode === 429) return true;
    current = cause;
  }
  return false;
}

/** Waits the backoff for this retry (full jitter), or rejects at once when `signal` aborts. @internal */
export function pause(attempt: number, options: Required<BackoffOptions>, signal: AbortSignal, random = Math.random): Promise<void> {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const ms = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `call`, and again after a pause each time it fails with throttling, up to
 * `attempts` tries; any other failure, or the last throttle, is thrown as is.
 *
 * @internal
 */
export async function withBackoff<T>(
  call: (signal: AbortSignal) => Promise<T>,
  options: Required<BackoffOptions>,
  signal: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(signal);
    } catch (error) {
      if (attempt >= options.attempts || !isThrottling(error) || signal.aborted) throw error;
      await pause(attempt, options, signal);
    }
  }
}
