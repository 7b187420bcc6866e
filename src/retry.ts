import pRetry, { AbortError } from 'p-retry';
import { abortError } from './abort.js';
import { type ContactSyncError, isContactSyncError } from './errors.js';
import type { RetryOptions } from './options.js';

/** The retry policy after defaults: what `withRetry` reads. */
export interface RetryPolicy {
  /** Retries after the first attempt (see {@link RetryOptions.retries}). */
  retries: number;
  /** First backoff delay, in ms. */
  minTimeout: number;
  /** Longest backoff delay, in ms. */
  maxTimeout: number;
  /** The longest `Retry-After` waited for, in ms; a longer one fails at once. */
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

export interface RetryRun<T = unknown> {
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Called before each retry, after the failed attempt; may pause the store for `Retry-After`. */
  onRetry?(error: ContactSyncError, attempt: number): void;
  /** Present when the work is not idempotent (a create): see `Recovery`. */
  recovery?: Recovery<T>;
}

/**
 * How to retry work that is not idempotent (a create: sending it twice could store two
 * contacts). Once an attempt may have reached the vendor (its answer was lost: a network error, a
 * timeout, a 5xx), the next one first asks `find` what that attempt stored (when `lookFirst`), and
 * a `conflict` answering a later attempt is resolved through `find` too: what it returns is the
 * result, and nothing is sent again.
 */
export interface Recovery<T = unknown> {
  /** Look before sending again (a vendor with a cheap lookup), else only after a conflict. */
  lookFirst: boolean;
  /** What an earlier attempt stored, or `undefined` when it stored nothing. */
  find(signal?: AbortSignal): Promise<T | undefined>;
}

/**
 * Runs `attempt` until it succeeds, the policy runs out, or an error is not retryable. Only a
 * `ContactSyncError` with `retryable: true` is retried (network errors, timeouts, 408, 429, 5xx);
 * a `Retry-After` longer than `maxRetryAfter` ends the run at once, with `retryAfterMs` set.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  run: RetryRun<T>,
): Promise<T> {
  const { policy, signal } = run;
  const once = run.recovery ? recovering(attempt, run.recovery, signal) : attempt;
  try {
    return await pRetry(
      async (attemptNumber) => {
        try {
          return await once(attemptNumber);
        } catch (error) {
          if (!isContactSyncError(error) || !error.retryable) throw new AbortError(asError(error));
          // An open breaker: waiting here would hold the caller; it decides when to come back.
          if (error.code === 'provider_unavailable') throw new AbortError(error);
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

/** `attempt`, made safe to repeat by `recovery` (see `Recovery`). */
function recovering<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  recovery: Recovery<T>,
  signal?: AbortSignal,
): (attemptNumber: number) => Promise<T> {
  // Set once an attempt may have reached the vendor.
  let uncertain = false;
  return async (attemptNumber) => {
    if (uncertain && recovery.lookFirst) {
      const found = await recovery.find(signal);
      if (found !== undefined) return found;
    }
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (uncertain && isContactSyncError(error) && error.code === 'conflict') {
        const found = await recovery.find(signal);
        if (found !== undefined) return found;
      }
      if (mayHaveReachedVendor(error)) uncertain = true;
      throw error;
    }
  };
}

/**
 * Network errors, timeouts and retryable vendor failures (5xx, or a vendor's own "try again" code
 * on HTTP 200): the vendor may have acted on the request.
 */
export function mayHaveReachedVendor(error: unknown): boolean {
  if (!isContactSyncError(error)) return false;
  return (
    error.code === 'network' ||
    error.code === 'timeout' ||
    (error.code === 'provider_error' && error.retryable)
  );
}
