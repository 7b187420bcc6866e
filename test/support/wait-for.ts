/**
 * How long a test waits for a condition before it gives up. A bound, not a schedule: a condition
 * that holds returns at once, so the bound can be generous enough for a loaded 2-core machine
 * (several test runs side by side) without slowing a quiet one.
 */
export const GENEROUS_MS = 60_000;

export interface WaitForOptions {
  /** Fails after this long. Default {@link GENEROUS_MS}. */
  timeoutMs?: number;
  /** Pause between two checks, in ms. Default 20. */
  intervalMs?: number;
}

/**
 * Checks `condition` until it holds, and fails naming `what` if it still does not after
 * `timeoutMs` (or `options` as a number). The only way a test waits: never for a fixed duration.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: WaitForOptions | number = {},
): Promise<void> {
  // A bare number is the timeout, as the queue tests pass it.
  const { timeoutMs = GENEROUS_MS, intervalMs = 20 } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
