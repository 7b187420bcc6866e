import ky, { type KyInstance, type Options } from 'ky';
import { abortError } from './abort.js';
import {
  type AttemptOutcome,
  type BreakerOptions,
  type CircuitBreaker,
  createCircuitBreaker,
  transportCause,
} from './breaker.js';
import type { HttpRequestPreview } from './contact-store.js';
import { ContactSyncError, type ContactSyncErrorOptions } from './errors.js';
import {
  codeForStatus,
  compactQuery,
  parseJson,
  parseRetryAfter,
  readText,
  vendorMessage,
} from './http-wire.js';
import type { Hooks, RequestEvent } from './options.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import { REDACTED, redactDeep, redactText } from './redact.js';
import { type Recovery, type RetryPolicy, withRetry } from './retry.js';

export { codeForStatus, parseRetryAfter, pathSegment, vendorMessage } from './http-wire.js';
export type { Recovery } from './retry.js';

/** The methods an adapter's requests use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request of an adapter, described before it is sent. */
export interface RequestSpec {
  /** The `ContactStore` method this request serves (named in errors and hook events). */
  operation: string;
  /** The HTTP method. */
  method: HttpMethod;
  /** Relative to the base URL, without a leading slash, every id already `encodeURIComponent`-ed. */
  path: string;
  /** The path shown in messages and hook events, ids elided: `/contacts/…`. */
  route: string;
  /** Query parameters; `undefined` values are left out. Default: none. */
  query?: Record<string, string | number | undefined> | undefined;
  /** A body sent as JSON. Default: no body. */
  json?: unknown | undefined;
  /** Headers of this request, over the client's. Default: none. */
  headers?: Record<string, string> | undefined;
  /** Cancels the request and any retry wait (rejects `aborted`). */
  signal?: AbortSignal | undefined;
  /** `false`: send without the store's `authorize` headers (a login request). Default `true`. */
  authorize?: boolean | undefined;
  /** Values of this call to keep out of messages (the phone number, in its written forms). */
  sensitive?: readonly string[] | undefined;
  /**
   * Present on a request that is not idempotent (a create): sending it twice could store two
   * contacts. Absent: the request is idempotent and a failed attempt is simply sent again.
   */
  recovery?: Recovery | undefined;
}

/** A vendor's answer, whatever its status. */
export interface HttpResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** Parsed JSON, or `undefined` for an empty or non-JSON body (see `text`). */
  body: unknown;
  /** The raw body as text (read up to `maxResponseBytes`). */
  text: string;
}

/** Options of `createHttpClient`; `setUpAdapter` fills them from a store's common options. */
export interface HttpClientOptions {
  /** The vendor's name, used in errors, hook events and logs. */
  provider: string;
  /** The URL every `RequestSpec.path` is relative to, without a trailing slash. */
  baseUrl: string;
  /** Milliseconds per attempt. */
  timeout: number;
  /** The retry policy after defaults (see `resolveRetryPolicy`). */
  retry: RetryPolicy;
  /** Client-side limit of request starts per second. Default: no limit. */
  requestsPerSecond?: number | undefined;
  /** A limiter shared with other stores or processes; replaces `requestsPerSecond`. */
  limiter?: RateLimiter | undefined;
  /** The fetch implementation. Default: the global one. */
  fetch?: typeof fetch | undefined;
  /** Observers of each request, answer and retry. Default: none. */
  hooks?: Hooks | undefined;
  /** Headers sent with every request (besides `accept: application/json`). Default: none. */
  headers?: Record<string, string> | undefined;
  /** The store's secrets as they are now (a key, a token fetched later): redacted everywhere. */
  secrets(): readonly string[];
  /** Headers that authorize a request; `refresh` after a 401 asks for new credentials. */
  authorize?(options: {
    signal?: AbortSignal | undefined;
    refresh: boolean;
  }): Promise<Record<string, string>>;
  /** The largest response body read, in bytes. Default 10 MiB. */
  maxResponseBytes?: number | undefined;
  /** The store's circuit breaker (see `CommonOptions.breaker`), or `false` for none. Default: on. */
  breaker?: BreakerOptions | false | undefined;
}

/** A store's one HTTP client: every request of an adapter goes through it. */
export interface HttpClient {
  /** The vendor's name, as given in {@link HttpClientOptions.provider}. */
  readonly provider: string;
  /** The limiter every request waits on (the shared one, or the client's own). */
  readonly limiter: RateLimiter;
  /** The store's circuit breaker; `undefined` when `breaker: false`. */
  readonly breaker: CircuitBreaker | undefined;
  /**
   * Sends once and resolves whatever the status; rejects `network`, `timeout`, `aborted`, and
   * `invalid_response` for a redirect (never followed).
   */
  send(spec: RequestSpec, attempt?: number): Promise<HttpResponse>;
  /**
   * Sends with the store's retry policy; `interpret` turns each response into the result or throws
   * a `ContactSyncError` (retried when `retryable`). A 401 renews the credentials once. A request
   * with a `recovery` is retried only in the ways that cannot store it twice; what its `find`
   * returns must be what `interpret` returns (a `Contact`, for a create).
   */
  request<T>(spec: RequestSpec, interpret: (response: HttpResponse) => T | Promise<T>): Promise<T>;
  /** The `ContactSyncError` for a response: the code from its status unless given. */
  failure(
    response: HttpResponse,
    spec: RequestSpec,
    fields?: Partial<ContactSyncErrorOptions>,
  ): ContactSyncError;
  /** The request as it would be sent, secrets redacted. */
  preview(spec: RequestSpec): HttpRequestPreview;
  /** A text with this store's secrets and the call's phone numbers removed. */
  redact(text: string, spec?: RequestSpec): string;
}

/** Creates the one HTTP client of a store: ky for the wire, p-retry for retries. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { provider } = options;
  const limiter = options.limiter ?? createRateLimiter(options.requestsPerSecond);
  const maxBytes = options.maxResponseBytes ?? 10 * 1024 * 1024;
  const client: KyInstance = ky.create({
    prefixUrl: options.baseUrl,
    timeout: options.timeout,
    // p-retry decides (src/retry.ts): one policy for every vendor, Retry-After honoured.
    retry: 0,
    throwHttpErrors: false,
    // A vendor's redirect is never followed: it would carry the key and the phone to another host.
    redirect: 'manual',
    fetch: options.fetch,
    headers: { accept: 'application/json', ...options.headers },
  });
  const bodyAsWritten = !options.fetch;
  // Only the host is ever named (the base URL holds no credentials; paths can hold phones).
  const host = hostOf(options.baseUrl);
  const breaker = createCircuitBreaker(options.breaker, provider, host);
  const secretsOf = (spec?: RequestSpec) => [...options.secrets(), ...(spec?.sensitive ?? [])];
  const redact = (text: string, spec?: RequestSpec) => redactText(text, secretsOf(spec));

  function emit<K extends keyof Hooks>(name: K, event: Parameters<NonNullable<Hooks[K]>>[0]) {
    try {
      (options.hooks?.[name] as ((event: unknown) => void) | undefined)?.(event);
    } catch {
      // A failing hook must not change the outcome of the call.
    }
  }

  async function acquire(spec: RequestSpec): Promise<void> {
    try {
      await limiter.acquire(spec.signal);
    } catch (error) {
      const context = { provider, operation: spec.operation };
      if (spec.signal?.aborted) throw abortError(spec.signal, context);
      // A shared limiter (Redis, say) that cannot answer: nothing was sent, so trying again is safe.
      throw new ContactSyncError({
        ...context,
        code: 'provider_error',
        retryable: true,
        message: `[contact-sync] [${provider}] ${spec.operation} failed: provider_error: the rate limiter did not answer`,
        cause: sanitizedCause(error, spec),
      });
    }
  }

  async function send(spec: RequestSpec, attempt = 1): Promise<HttpResponse> {
    // An open breaker fails at once: no wait on the limiter, no credentials fetched.
    breaker?.check(spec.operation);
    await acquire(spec);
    const authHeaders =
      options.authorize && spec.authorize !== false
        ? await options.authorize({ signal: spec.signal, refresh: false })
        : undefined;
    // Claimed after the credentials: a login is a request of its own, through this breaker too.
    const outcome: (result: AttemptOutcome, reason?: string) => void =
      breaker?.enter(spec.operation) ?? (() => undefined);
    // Events are built only for hooks that listen: this runs once per request.
    const hooks = options.hooks;
    const event: RequestEvent | undefined =
      hooks?.onRequest || hooks?.onResponse
        ? { provider, operation: spec.operation, method: spec.method, route: spec.route, attempt }
        : undefined;
    if (event) emit('onRequest', event);
    const started = event ? performance.now() : 0;
    // One deadline per attempt covers the answer's headers and its body (ky's own timeout
    // stops at the headers: a body that never ends would hang the call).
    const deadline = Date.now() + options.timeout;
    let response: Response;
    let text: string;
    try {
      response = await client(spec.path, kyOptions(spec, authHeaders, bodyAsWritten));
      text = isRedirect(response) ? '' : await readText(response, maxBytes, deadline);
    } catch (error) {
      const failed = transportError(error, spec);
      outcome(
        failed.code === 'network' || failed.code === 'timeout' ? 'down' : 'unknown',
        failed.code === 'timeout'
          ? `no answer within ${options.timeout} ms`
          : transportCause(error),
      );
      throw failed;
    }
    outcome(response.status >= 500 ? 'down' : 'up', `answered ${response.status}`);
    if (event) {
      emit('onResponse', {
        ...event,
        status: response.status,
        durationMs: performance.now() - started,
      });
    }
    if (isRedirect(response)) {
      await response.body?.cancel().catch(() => undefined);
      throw redirected(response, spec);
    }
    return { status: response.status, headers: response.headers, text, body: parseJson(text) };
  }

  /** No secret and no `Location` in it: the target is the vendor's (or an attacker's) to choose. */
  function redirected(response: Response, spec: RequestSpec): ContactSyncError {
    return new ContactSyncError({
      code: 'invalid_response',
      provider,
      operation: spec.operation,
      status: response.status || undefined,
      route: `${spec.method} ${spec.route}`,
      retryable: false,
      detail: 'the vendor answered with a redirect, which is never followed',
    });
  }

  function transportError(error: unknown, spec: RequestSpec): ContactSyncError {
    if (error instanceof ContactSyncError) return error;
    const base = { provider, operation: spec.operation, route: `${spec.method} ${spec.route}` };
    if (spec.signal?.aborted) return abortError(spec.signal, base);
    const cause = sanitizedCause(error, spec);
    if (error instanceof Error && error.name === 'TimeoutError') {
      const detail = `${provider} at ${host} did not answer within ${options.timeout} ms`;
      return new ContactSyncError({ ...base, code: 'timeout', cause, detail });
    }
    const detail = `cannot reach ${provider} at ${host}: ${transportCause(error)}`;
    return new ContactSyncError({ ...base, code: 'network', cause, detail });
  }

  function sanitizedCause(error: unknown, spec: RequestSpec): Error {
    const original = error instanceof Error ? error : new Error(String(error));
    const copy = new Error(redact(original.message, spec));
    copy.name = original.name;
    const code =
      (original as { code?: unknown }).code ?? (original.cause as { code?: unknown })?.code;
    if (typeof code === 'string') Object.assign(copy, { code });
    return copy;
  }

  function failure(
    response: HttpResponse,
    spec: RequestSpec,
    fields: Partial<ContactSyncErrorOptions> = {},
  ): ContactSyncError {
    const code = fields.code ?? codeForStatus(response.status);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const detail = fields.detail ?? vendorMessage(response.body);
    return new ContactSyncError({
      provider,
      operation: spec.operation,
      status: response.status,
      route: `${spec.method} ${spec.route}`,
      retryAfterMs: retryAfterMs,
      ...fields,
      code,
      detail: detail ? redact(detail, spec).slice(0, 300) : undefined,
    });
  }

  async function request<T>(
    spec: RequestSpec,
    interpret: (response: HttpResponse) => T | Promise<T>,
  ): Promise<T> {
    let renewed = false;
    const attemptOnce = async (attempt: number): Promise<T> => {
      let response = await send(spec, attempt);
      if (response.status === 401 && options.authorize && spec.authorize !== false && !renewed) {
        renewed = true;
        await options.authorize({ signal: spec.signal, refresh: true });
        response = await send(spec, attempt);
      }
      return interpret(response);
    };
    return withRetry(attemptOnce, {
      policy: options.retry,
      signal: spec.signal,
      recovery: spec.recovery as Recovery<T> | undefined,
      onRetry: (error, attempt) => {
        if (error.retryAfterMs) limiter.pauseUntil(Date.now() + error.retryAfterMs);
        emit('onRetry', {
          provider,
          operation: spec.operation,
          method: spec.method,
          route: spec.route,
          attempt,
          code: error.code,
          status: error.status,
          retryAfterMs: error.retryAfterMs,
        });
      },
    });
  }

  function preview(spec: RequestSpec): HttpRequestPreview {
    const secrets = options.secrets();
    const url = new URL(spec.path, `${options.baseUrl.replace(/\/+$/, '')}/`);
    for (const [key, value] of Object.entries(compactQuery(spec.query) ?? {})) {
      url.searchParams.set(key, secrets.includes(String(value)) ? REDACTED : String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.authorize && spec.authorize !== false) headers.authorization = REDACTED;
    if (spec.json !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, spec.headers);
    for (const [key, value] of Object.entries(headers)) {
      headers[key] = redactDeep(value, secrets) as string;
    }
    return {
      method: spec.method,
      url: url.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED),
      headers,
      ...(spec.json === undefined ? {} : { body: redactDeep(spec.json, secrets) }),
    };
  }

  return { provider, limiter, breaker, send, request, failure, preview, redact };
}

/** `host:port` of a base URL, or `the vendor's host` when it cannot be read. */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || "the vendor's host";
  } catch {
    return "the vendor's host";
  }
}

/** A 3xx, an opaque redirect (status 0), or an answer a caller's own fetch reached by following one. */
function isRedirect(response: Response): boolean {
  return (
    (response.status >= 300 && response.status < 400) ||
    response.type === 'opaqueredirect' ||
    response.redirected
  );
}

/** ky's options for a request: only the keys in use, since ky merges every key it is given. */
function kyOptions(
  spec: RequestSpec,
  authHeaders: Record<string, string> | undefined,
  bodyAsWritten: boolean,
): Options {
  const request: Options = { method: spec.method };
  const headers: Record<string, string> = { ...authHeaders, ...spec.headers };
  const searchParams = compactQuery(spec.query);
  if (searchParams) request.searchParams = searchParams;
  if (spec.json !== undefined) {
    const body = JSON.stringify(spec.json);
    headers['content-type'] ??= 'application/json';
    if (bodyAsWritten) request.fetch = fetchWithBody(body);
    else request.body = body;
  }
  request.headers = headers;
  if (spec.signal) request.signal = spec.signal;
  return request;
}

/**
 * ky's `fetch` for a request with a JSON body, used when the store has no fetch of the caller's:
 * ky's Request then has no body stream to build and tee on clone, and Node's fetch writes the
 * string in one buffer with its length. Measured at 0.6 ms of CPU less per request
 * (docs/performance.md, "The transport"); the rest of ky's work (its Request, timeout and
 * abort signal) stays.
 */
function fetchWithBody(body: string): typeof fetch {
  return (input, init) => {
    const request = input as Request;
    return fetch(request.url, {
      ...init,
      method: request.method,
      headers: request.headers,
      body,
      signal: request.signal,
      redirect: request.redirect,
    });
  };
}
