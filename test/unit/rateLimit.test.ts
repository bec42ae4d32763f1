import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkListUsersPerSecond, rateLimiter } from '../../src/rateLimit.js';
import { cursorOf, positionsOf, SUB_PREFIXES } from '../../src/reconcile/cursor.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('rateLimiter', () => {
  it('spaces calls evenly at the rate, never more than one per slot', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = rateLimiter(25);
    const startedAt: number[] = [];

    const takes = Array.from({ length: 10 }, () => limiter.take().then(() => startedAt.push(Date.now())));
    await vi.runAllTimersAsync();
    await Promise.all(takes);

    // 25 a second is one every 40 ms: the first at once, the tenth at 360 ms.
    expect(startedAt).toEqual([0, 40, 80, 120, 160, 200, 240, 280, 320, 360]);
  });

  it('lets a caller through at once after an idle spell (no debt from the past)', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = rateLimiter(10);
    await limiter.take();
    vi.setSystemTime(5000);
    const started = limiter.take();
    await vi.advanceTimersByTimeAsync(0);
    await expect(started).resolves.toBeUndefined();
  });

  it('rejects a waiting caller when its signal aborts', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = rateLimiter(1);
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('checks listUsersPerSecond: 25 by default, any positive rate, Infinity for no limit', async () => {
    expect(checkListUsersPerSecond(undefined)).toBe(25);
    expect(checkListUsersPerSecond(31)).toBe(31);
    expect(checkListUsersPerSecond(Infinity)).toBe(Infinity);
    for (const bad of [0, -1, Number.NaN, '25']) expect(() => checkListUsersPerSecond(bad)).toThrow(/listUsersPerSecond/);
    vi.useFakeTimers({ now: 0 });
    const unlimited = rateLimiter(Infinity);
    await Promise.all(Array.from({ length: 100 }, () => unlimited.take()));
    expect(Date.now()).toBe(0);
  });
});

describe('the partition cursor', () => {
  it('starts every partition at its first page, or one stream when not partitioned', () => {
    expect([...positionsOf(undefined, true)]).toEqual(SUB_PREFIXES.map((prefix) => [prefix, null]));
    expect([...positionsOf(undefined, false)]).toEqual([['', null]]);
  });

  it('round-trips the positions of unfinished partitions', () => {
    const positions = new Map<string, string | null>([
      ['3', 'token-three'],
      ['a', null],
    ]);
    expect(positionsOf(cursorOf(positions), true)).toEqual(positions);
  });

  it('keeps a single stream’s cursor a bare token, readable by earlier versions', () => {
    expect(cursorOf(new Map([['', 'abc']]))).toBe('abc');
    expect([...positionsOf('abc', true)]).toEqual([['', 'abc']]);
  });

  it('has no cursor when every partition is done', () => {
    expect(cursorOf(new Map())).toBeUndefined();
  });
});
