import { ConfigurationError } from './errors.js';

/**
 * Spaces calls out to at most `perSecond`, shared by every caller that holds it: the
 * partitions of one reconcile run, its orphan look-ups, a batch of admin changes. Cognito's
 * `ListUsers` quota (30 requests/s per account and region, not raisable) is what it guards:
 * staying under it is cheaper than being throttled and backing off.
 *
 * @internal
 */
export interface RateLimiter {
  readonly perSecond: number;
  /** Resolves when the caller may make its call; rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void>;
}

/** Cognito's own ceiling for `ListUsers`, per account and region. */
export const LIST_USERS_QUOTA_PER_SECOND = 30;

/** @internal */
export const LIST_USERS_PER_SECOND_DEFAULT = 25;

/** The `listUsersPerSecond` option, or its default. @internal */
export function checkListUsersPerSecond(value: unknown): number {
  if (value === undefined) return LIST_USERS_PER_SECOND_DEFAULT;
  // Above Cognito's quota is allowed (a raised quota, an emulator, Infinity for no limit):
  // Cognito then throttles, and the backoff rides it out.
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new ConfigurationError(
      'listUsersPerSecond',
      `must be a number above 0 (Cognito's ListUsers quota is ${LIST_USERS_QUOTA_PER_SECOND} a second per account and region)`,
    );
  }
  return value;
}

/**
 * A limiter that hands out evenly spaced start times. Evenly spaced, not a burst bucket:
 * Cognito counts requests per second, and a burst at a second's edge is throttled.
 *
 * @internal
 */
export function rateLimiter(perSecond: number, now: () => number = Date.now): RateLimiter {
  const spacingMs = perSecond === Infinity ? 0 : 1000 / perSecond;
  let nextStart = -Infinity;
  return {
    perSecond,
    take(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const at = Math.max(now(), nextStart);
      nextStart = at + spacingMs;
      const waitMs = at - now();
      if (waitMs <= 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
