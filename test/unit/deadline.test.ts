import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDeadline, validateDeadlineOptions } from '../../src/deadline.js';
import { ConfigurationError, DeadlineExceededError } from '../../src/errors.js';

const options = { deadlineMs: 4500, safetyMarginMs: 500 };
const contextWith = (getRemainingTimeInMillis: () => unknown) => ({ getRemainingTimeInMillis }) as unknown as Context;

describe('validateDeadlineOptions', () => {
  it('fills the defaults and names the option and what it must be', () => {
    expect(validateDeadlineOptions({})).toEqual({ deadlineMs: 4500, safetyMarginMs: 500 });
    expect(validateDeadlineOptions({ deadlineMs: 1, safetyMarginMs: 0 })).toEqual({ deadlineMs: 1, safetyMarginMs: 0 });
    expect(() => validateDeadlineOptions({ deadlineMs: 0 })).toThrow(
      new ConfigurationError('deadlineMs', 'must be a positive number of milliseconds'),
    );
    expect(() => validateDeadlineOptions({ deadlineMs: Infinity })).toThrow('Invalid option `deadlineMs`: must be a positive number of milliseconds');
    expect(() => validateDeadlineOptions({ safetyMarginMs: -1 })).toThrow(
      'Invalid option `safetyMarginMs`: must be a non-negative number of milliseconds',
    );
    expect(() => validateDeadlineOptions({ safetyMarginMs: Number.NaN })).toThrow(expect.objectContaining({ option: 'safetyMarginMs' }));
  });
});

describe('startDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['no context', undefined, 4500],
    ['a context with time to spare', contextWith(() => 60_000), 4500],
    ['a context with little time', contextWith(() => 3000), 2500],
    ['a context with less than the margin', contextWith(() => 100), 0],
    ['a context whose clock throws', contextWith(() => { throw new Error('no clock'); }), 4500],
    ['a context whose clock is not a number', contextWith(() => Number.NaN), 4500],
  ])('works to the lesser of deadlineMs and the remaining time less the margin: %s', (_label, context, budgetMs) => {
    expect(startDeadline(context, options).budgetMs).toBe(budgetMs);
  });

  it('settles with the step, its rejection, or its synchronous throw, and leaves no timer', async () => {
    const deadline = startDeadline(undefined, options);
    const failure = new Error('step failed');

    await expect(deadline.run('step', async () => 'done')).resolves.toBe('done');
    await expect(deadline.race('step', () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      deadline.run('step', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a step that outlives the deadline with DeadlineExceededError and aborts its signal', async () => {
    const deadline = startDeadline(undefined, { deadlineMs: 1000, safetyMarginMs: 0 });
    let signal: AbortSignal | undefined;

    const running = deadline.run('createProfile', (given) => {
      signal = given;
      return new Promise<never>(() => {});
    });
    const outcome = running.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);

    const error = await outcome;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ operation: 'createProfile', budgetMs: 1000 });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    await expect(deadline.race('next', async () => 'late')).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});
