import { createContactStore } from '../providers/registry.js';
import { callbellConfig } from './overhead.js';
import type { RemoteSandbox } from './sandbox-process.js';

export interface RateLimitResult {
  limit: number;
  seconds: number;
  requests: number;
  /** Requests started per second over the run. */
  achieved: number;
  /** The most requests started in any window of one second (client clock, sub-ms). */
  busiestWindow: number;
}

/**
 * Row 5: a store limited to `limit` requests per second, kept busy by 16 callers for `seconds`;
 * every start is timed by the `onRequest` hook with `performance.now()`.
 */
export async function measureRateLimit(
  sandbox: RemoteSandbox,
  options: { limit: number; seconds: number },
): Promise<RateLimitResult> {
  const starts: number[] = [];
  const store = createContactStore({
    ...callbellConfig(sandbox),
    rateLimit: { requestsPerSecond: options.limit },
    hooks: { onRequest: () => starts.push(performance.now()) },
  });
  await sandbox.reset();
  const began = performance.now();
  const deadline = began + options.seconds * 1000;
  let index = 0;
  const caller = async () => {
    while (performance.now() < deadline) await store.get(`missing-${index++}`);
  };
  // Callers queued at the deadline still start (after it): they count in the windows, not the rate.
  await Promise.all(Array.from({ length: 16 }, caller));
  const inRun = starts.filter((start) => start < deadline);
  return {
    limit: options.limit,
    seconds: options.seconds,
    requests: inRun.length,
    achieved: inRun.length / options.seconds,
    busiestWindow: busiestWindow(starts, 1000),
  };
}

/** The largest number of times within any half-open window `[t, t + width)`. */
export function busiestWindow(times: readonly number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= width) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
