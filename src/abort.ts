import { setMaxListeners } from 'node:events';
import { ContactSyncError } from './errors.js';

/** The `aborted` error for a fired signal. */
export function abortError(
  signal?: AbortSignal,
  context: { provider?: string; operation?: string } = {},
): ContactSyncError {
  const reason = signal?.reason;
  return new ContactSyncError({
    code: 'aborted',
    retryable: false,
    ...context,
    cause: reason instanceof Error ? new Error(reason.message) : undefined,
  });
}

/** Waits `ms`, or rejects `aborted` as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal of one call or run, and how to detach it from its parent when the call ends. */
export interface ScopedSignal {
  signal?: AbortSignal;
  release(): void;
}

/**
 * A signal that follows `parent` through one listener, removed by `release()`. The work below (a
 * store call's retry waits, the rate limiter, ky, fetch; a run's store calls) listens on this one,
 * so the caller's signal carries one listener per call whatever the retries and the concurrency:
 * `pushMany` at concurrency 32 with a signal printed a MaxListenersExceededWarning before. The
 * scoped signal itself has no listener cap: what listens on it is bounded by the call (or by the
 * run's concurrency), and it is dropped when the call ends.
 */
export function scopedSignal(parent?: AbortSignal): ScopedSignal {
  if (!parent) return { signal: undefined, release: () => undefined };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const forward = () => controller.abort(parent.reason);
  parent.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, release: () => parent.removeEventListener('abort', forward) };
}
