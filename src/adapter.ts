import { createHttpClient, type HttpClient, type HttpClientOptions } from './http.js';
import { withLoggerHooks } from './logger.js';
import type { CommonOptions } from './options.js';
import type { ProviderDefinition } from './provider-definition.js';
import { resolveRetryPolicy } from './retry.js';
import type { StoreSettings } from './store.js';

/** What a vendor's factory knows about itself: the facts of its `ProviderDefinition`. */
export type ProviderDefaults = Pick<ProviderDefinition, 'name' | 'baseUrl' | 'requestsPerSecond'>;

/** What a vendor adds to its HTTP client: its secrets, its auth headers or `authorize`. */
export type AdapterHttpOptions = Pick<HttpClientOptions, 'secrets' | 'authorize' | 'headers'>;

/**
 * Turns the common options of a vendor's factory (already validated) into its HTTP client and the
 * settings of `defineContactStore`: the one place where defaults are filled.
 */
export function setUpAdapter(
  options: CommonOptions,
  defaults: ProviderDefaults,
  http: AdapterHttpOptions,
): {
  /**
   * The store's one HTTP client: the vendor's base URL, timeout (default 10000 ms), retry
   * policy, limiter, hooks and logger.
   */
  http: HttpClient;
  /** What `defineContactStore` takes besides the driver. */
  settings: StoreSettings;
} {
  const retry = resolveRetryPolicy(options.retry);
  const requestsPerSecond =
    options.rateLimit === false
      ? undefined
      : (options.rateLimit?.requestsPerSecond ?? defaults.requestsPerSecond);
  return {
    http: createHttpClient({
      provider: defaults.name,
      baseUrl: (options.baseUrl ?? defaults.baseUrl).replace(/\/+$/, ''),
      timeout: options.timeout ?? 10_000,
      retry,
      requestsPerSecond,
      limiter: options.limiter,
      breaker: options.breaker,
      fetch: options.fetch,
      hooks: withLoggerHooks(options.hooks, options.logger),
      ...http,
    }),
    settings: { defaultCountry: options.defaultCountry },
  };
}
