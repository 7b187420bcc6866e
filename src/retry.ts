import pRetry, { AbortError } from 'p-retry';
import { abortError } from './abort.js';
import { type ContactSyncError, isContactSyncError } from './errors.js';
import type { RetryOptions } from './options.js';

/** The retry policy after defaults: what `withRetry` reads. */
export interface RetryPolicy {
  retries: number;
  minTimeout: number;
  maxTimeout: number;
  maxRetryAfter: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  minTimeout: 500,
  maxTimeout: 10_000,
  maxRetryAfter: 60_000,
};

/** Fills the defaults of a `retry` option; `false` means one attempt. */
export function resolveRetryPolicy(option: RetryOptions | false | undefined): RetryPolicy {
  if (option === false) return { ...DEFAULT_RETRY, retries: 0 };
  return { ...DEFAULT_RETRY, ...option };
}

export interface RetryRun {
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Called before each retry, after the failed attempt; may pause the store for `Retry-After`. */
  onRetry?(error: ContactSyncError, attempt: number): void;
}

/**
 * Runs `attempt` until it succeeds, the policy runs out, or an error is not retryable. Only a
 * `ContactSyncError` with `retryable: true` is retried (network errors, timeouts, 408, 429, 5xx);
 * a `Retry-After` longer than `maxRetryAfter` ends the run at once, with `retryAfterMs` set.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  run: RetryRun,
): Promise<T> {
  const { policy, signal } = run;
  try {
    return await pRetry(
      async (attemptNumber) => {
        try {
          return await attempt(attemptNumber);
        } catch (error) {
          if (!isContactSyncError(error) || !error.retryable) throw new AbortError(asError(error));
          if ((error.retryAfterMs ?? 0) > policy.maxRetryAfter) throw new AbortError(error);
          throw error;
        }
      },
      {
        retries: policy.retries,
        minTimeout: policy.minTimeout,
        maxTimeout: policy.maxTimeout,
        factor: 2,
        randomize: true,
        signal,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && isContactSyncError(error)) run.onRetry?.(error, attemptNumber);
        },
      },
    );
  } catch (error) {
    if (isContactSyncError(error)) throw error;
    if (signal?.aborted) throw abortError(signal);
    throw error;
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
