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
