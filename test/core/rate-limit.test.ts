import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from '../../src/rate-limit.js';

describe('createRateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never starts more than the limit in any one-second window', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter(5);
    const starts: number[] = [];
    const all = Array.from({ length: 12 }, () =>
      limiter.acquire().then(() => starts.push(Date.now())),
    );
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(all);
    expect(starts).toHaveLength(12);
    for (const start of starts) {
      const inWindow = starts.filter((other) => other >= start && other < start + 1000);
      expect(inWindow.length).toBeLessThanOrEqual(5);
    }
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(2000);
  });

  it('spaces starts for a rate under one per second', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter(0.5);
    const starts: number[] = [];
    const all = [1, 2, 3].map(() => limiter.acquire().then(() => starts.push(Date.now())));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(2000);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(2000);
  });

  it('holds every start until a pause ends', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter();
    const begin = Date.now();
    limiter.pauseUntil(begin + 1500);
    let started = 0;
    const waiting = limiter.acquire().then(() => {
      started = Date.now();
    });
    await vi.advanceTimersByTimeAsync(2000);
    await waiting;
    expect(started - begin).toBeGreaterThanOrEqual(1500);
  });

  it('lets an aborted waiter go without blocking the others', async () => {
    vi.useFakeTimers();
    const limiter = createRateLimiter(1);
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal).catch((error) => error);
    const next = limiter.acquire();
    controller.abort();
    expect(await aborted).toMatchObject({ code: 'aborted' });
    await vi.advanceTimersByTimeAsync(1010);
    await expect(next).resolves.toBeUndefined();
  });

  it('does not wait at all when unlimited', async () => {
    // With the clock frozen, any wait on a timer would never end: resolving proves there is none.
    vi.useFakeTimers();
    const limiter = createRateLimiter();
    await Promise.all(Array.from({ length: 100 }, () => limiter.acquire()));
  });
});
