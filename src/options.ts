import * as v from 'valibot';
import type { BreakerOptions } from './breaker.js';
import { invalidConfig } from './errors.js';
import { type Logger, loggerSchema } from './logger.js';
import { isCountryCode } from './phone.js';
import type { RateLimiter } from './rate-limit.js';
import { parseWith, refuseReservedKeys } from './validation.js';

/** Events given to `hooks`. They carry no key, token, phone number or body. */
export interface RequestEvent {
  /** The vendor's name, e.g. `callbell`. */
  provider: string;
  /** The store operation that sent the request, e.g. `upsert` or `get`. */
  operation: string;
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** `METHOD`-less route with ids elided, e.g. `/contacts/…`. */
  route: string;
  /** 1 for the first attempt. */
  attempt: number;
}
/** Given to `hooks.onResponse` once an answer arrived, whatever its status. */
export interface ResponseEvent extends RequestEvent {
  /** The HTTP status of the answer. */
  status: number;
  /** Time from sending the attempt to its answer, in ms. */
  durationMs: number;
}
/** Given to `hooks.onRetry` before a failed attempt is sent again. */
export interface RetryEvent extends RequestEvent {
  /** The `ContactSyncError` code of the failed attempt. */
  code: string;
  /** The HTTP status of the failed attempt; absent when no answer arrived (timeout, network). */
  status?: number | undefined;
  /** The vendor's `Retry-After`, when it sent one. */
  retryAfterMs?: number | undefined;
}

/**
 * Observers of a store's requests, for logs and metrics. They run synchronously; one that throws
 * does not change the call's outcome. Default: none.
 */
export interface Hooks {
  /** Called before each attempt is sent (retries included). */
  onRequest?(event: RequestEvent): void;
  /** Called once an attempt's answer arrived, whatever its status. */
  onResponse?(event: ResponseEvent): void;
  /** Called before a failed attempt is sent again (not after the last one). */
  onRetry?(event: RetryEvent): void;
}

/** The store's retry policy (the `retry` option); every field has a default. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  retries?: number | undefined;
  /** First backoff delay in ms. Default 500. */
  minTimeout?: number | undefined;
  /** Longest backoff delay in ms. Default 10000. */
  maxTimeout?: number | undefined;
  /** The longest `Retry-After` waited for; a longer one fails at once with `retryAfterMs`. Default 60000. */
  maxRetryAfter?: number | undefined;
}

/** Options every store takes, whatever the vendor. */
export interface CommonOptions {
  /** Default: the vendor's https URL. `http://` only for loopback hosts. */
  baseUrl?: string | undefined;
  /** Common field or custom-field key → the vendor's target (see each provider's docs). */
  fieldMap?: Record<string, string | number> | undefined;
  /** What to do with a value the vendor cannot hold: a warning (default) or an `invalid_input` error. */
  onUnmapped?: 'warn' | 'error' | undefined;
  /** ISO 3166 alpha-2 country used for numbers written without a country code. */
  defaultCountry?: string | undefined;
  /** Milliseconds per attempt. Default 10000. */
  timeout?: number | undefined;
  /** Retry policy, or `false` for a single attempt. Default: {@link RetryOptions}' defaults. */
  retry?: RetryOptions | false | undefined;
  /**
   * Client-side limit, applied before the vendor's own 429, or `false` for none. Default: the
   * vendor's documented limit.
   */
  rateLimit?:
    | {
        /** Requests started in any one-second window, at most (rounded down, at least 1). */
        requestsPerSecond: number;
      }
    | false
    | undefined;
  /**
   * The store's circuit breaker, or `false` for none: after `failures` network errors, timeouts
   * or 5xx answers in a row, every call fails at once with `provider_unavailable` (naming the
   * vendor and its host) for `cooldownMs`; then one probe goes through, and an answer closes it.
   * Default `{ failures: 10, cooldownMs: 10000 }`.
   */
  breaker?: BreakerOptions | false | undefined;
  /**
   * A limiter shared beyond this store (several stores or processes on one vendor account, as in
   * `contact-sync/queue`); replaces `rateLimit`. Default: none.
   */
  limiter?: RateLimiter | undefined;
  /** The fetch implementation. Default: the global one. */
  fetch?: typeof fetch | undefined;
  /** Observers of each request, answer and retry (see {@link Hooks}). Default: none. */
  hooks?: Hooks | undefined;
  /**
   * A pino-compatible logger: requests and answers at `debug`, retries and 5xx answers at `warn`.
   * Never a phone, key, id or secret. Default: none.
   */
  logger?: Logger | undefined;
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** True for https URLs, and for http URLs on a loopback host (a local sandbox or proxy). */
export function isAllowedBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname))
  );
}

const positiveInteger = (max: number) =>
  v.pipe(v.number(), v.integer('expected a whole number'), v.minValue(1), v.maxValue(max));
const nonNegativeInteger = (max: number) =>
  v.pipe(v.number(), v.integer('expected a whole number'), v.minValue(0), v.maxValue(max));
const isFunction = (value: unknown) => typeof value === 'function';
const hook = <T>() => v.optional(v.custom<T>(isFunction, 'expected a function'));

/** Entries of the options every store takes; each provider adds its own. */
export const commonOptionEntries = {
  /** See {@link CommonOptions.baseUrl}. */
  baseUrl: v.optional(
    v.pipe(
      v.string(),
      v.check(
        isAllowedBaseUrl,
        'expected an https:// URL (http:// only for localhost), without credentials or query',
      ),
    ),
  ),
  /** See {@link CommonOptions.fieldMap}: at most 200 entries. */
  fieldMap: v.optional(
    v.pipe(
      v.unknown(),
      refuseReservedKeys(),
      v.record(
        v.pipe(v.string(), v.minLength(1)),
        v.union([v.pipe(v.string(), v.minLength(1)), v.pipe(v.number(), v.integer())]),
      ),
      v.maxEntries(200),
    ),
  ),
  /** See {@link CommonOptions.onUnmapped}. */
  onUnmapped: v.optional(v.picklist(['warn', 'error'], "expected 'warn' or 'error'")),
  /** See {@link CommonOptions.defaultCountry}. */
  defaultCountry: v.optional(
    v.pipe(
      v.string(),
      v.check(isCountryCode, 'expected an ISO 3166 alpha-2 country code such as FR'),
    ),
  ),
  /** See {@link CommonOptions.timeout}: 1 to 600000 ms. */
  timeout: v.optional(positiveInteger(600_000)),
  /** See {@link CommonOptions.retry}. */
  retry: v.optional(
    v.union(
      [
        v.literal(false),
        v.strictObject({
          /** See {@link RetryOptions.retries}: 0 to 20. */
          retries: v.optional(nonNegativeInteger(20)),
          /** See {@link RetryOptions.minTimeout}: 0 to 600000 ms. */
          minTimeout: v.optional(nonNegativeInteger(600_000)),
          /** See {@link RetryOptions.maxTimeout}: 0 to 600000 ms. */
          maxTimeout: v.optional(nonNegativeInteger(600_000)),
          /** See {@link RetryOptions.maxRetryAfter}: 0 to 3600000 ms. */
          maxRetryAfter: v.optional(nonNegativeInteger(3_600_000)),
        }),
      ],
      'expected false or { retries, minTimeout, maxTimeout, maxRetryAfter }',
    ),
  ),
  /** See {@link CommonOptions.rateLimit}. */
  rateLimit: v.optional(
    v.union(
      [
        v.literal(false),
        v.strictObject({
          /** More than 0, at most 100000. */
          requestsPerSecond: v.pipe(v.number(), v.gtValue(0), v.maxValue(100_000)),
        }),
      ],
      'expected false or { requestsPerSecond }',
    ),
  ),
  /** See {@link CommonOptions.breaker}. */
  breaker: v.optional(
    v.union(
      [
        v.literal(false),
        v.strictObject({
          /** See {@link BreakerOptions.failures}: 1 to 1000. */
          failures: v.optional(positiveInteger(1000)),
          /** See {@link BreakerOptions.cooldownMs}: 1 to 3600000 ms. */
          cooldownMs: v.optional(positiveInteger(3_600_000)),
        }),
      ],
      'expected false or { failures, cooldownMs }',
    ),
  ),
  /** See {@link CommonOptions.limiter}: an object with `acquire()` and `pauseUntil()`. */
  limiter: v.optional(
    v.custom<RateLimiter>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        isFunction((value as RateLimiter).acquire) &&
        isFunction((value as RateLimiter).pauseUntil),
      'expected a limiter with acquire() and pauseUntil()',
    ),
  ),
  /** See {@link CommonOptions.fetch}. */
  fetch: v.optional(v.custom<typeof fetch>(isFunction, 'expected a function')),
  /** See {@link CommonOptions.logger}. */
  logger: v.optional(loggerSchema),
  /** See {@link CommonOptions.hooks}: only the three hooks below, each a function. */
  hooks: v.optional(
    v.strictObject({
      /** See {@link Hooks.onRequest}. */
      onRequest: hook<Hooks['onRequest']>(),
      /** See {@link Hooks.onResponse}. */
      onResponse: hook<Hooks['onResponse']>(),
      /** See {@link Hooks.onRetry}. */
      onRetry: hook<Hooks['onRetry']>(),
    }),
  ),
};

/** A non-empty secret string (an API key or token). */
export const secretSchema = v.pipe(
  v.string('expected a string'),
  v.minLength(1, 'required'),
  v.maxLength(4096),
);

/** Parses a store's options, throwing `invalid_config` that names each bad option. */
export function parseOptions<TSchema extends v.GenericSchema>(
  schema: TSchema,
  options: unknown,
  provider: string,
): v.InferOutput<TSchema> {
  return parseWith(schema, options, (issues) => invalidConfig(issues, provider));
}
