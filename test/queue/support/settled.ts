import type { SyncQueue } from '../../../queue/index.js';
import { waitFor } from './wait-for.js';

/**
 * Waits until the queue holds exactly `expected` completed and failed jobs and nothing waiting,
 * active or delayed; `timeoutMs` is the bound (default: waitFor's generous one).
 */
export async function settled(
  queue: SyncQueue,
  expected: { completed?: number; failed?: number },
  timeoutMs?: number,
): Promise<void> {
  await waitFor(
    async () => {
      const counts = await queue.counts();
      return (
        counts.completed === (expected.completed ?? 0) &&
        counts.failed === (expected.failed ?? 0) &&
        counts.waiting + counts.active + counts.delayed === 0
      );
    },
    `the queue to settle at ${JSON.stringify(expected)}`,
    timeoutMs === undefined ? {} : timeoutMs,
  );
}
