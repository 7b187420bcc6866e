import ky, { type KyInstance, type Options } from 'ky';
import { abortError } from './abort.js';
import type { HttpRequestPreview } from './contact-store.js';
import {
  ContactSyncError,
  type ContactSyncErrorCode,
  type ContactSyncErrorOptions,
  isContactSyncError,
} from './errors.js';
import type { Hooks, RequestEvent } from './options.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import { REDACTED, redactDeep, redactText } from './redact.js';
import { type RetryPolicy, withRetry } from './retry.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request of an adapter, described before it is sent. */
export interface RequestSpec {
  /** The `ContactStore` method this request serves (named in errors and hook events). */
  operation: string;
  method: HttpMethod;
  /** Relative to the base URL, without a leading slash, every id already `encodeURIComponent`-ed. */
  path: string;
  /** The path shown in messages and hook events, ids elided: `/contacts/…`. */
  route: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** `false`: one attempt (the caller makes retries safe itself). Default `true`. */
  retry?: boolean;
  /** `false`: send without the store's `authorize` headers (a login request). Default `true`. */
  authorize?: boolean;
  /** Values of this call to keep out of messages (the phone number, in its written forms). */
  sensitive?: readonly string[];
}

/** A vendor's answer, whatever its status. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or `undefined` for an empty or non-JSON body (see `text`). */
  body: unknown;
  text: string;
}

export interface HttpClientOptions {
  provider: string;
  baseUrl: string;
  timeout: number;
  retry: RetryPolicy;
  requestsPerSecond?: number;
  /** A limiter shared with other stores or processes; replaces `requestsPerSecond`. */
  limiter?: RateLimiter;
  fetch?: typeof fetch;
  hooks?: Hooks;
  headers?: Record<string, string>;
  /** The store's secrets as they are now (a key, a token fetched later): redacted everywhere. */
  secrets(): readonly string[];
  /** Headers that authorize a request; `refresh` after a 401 asks for new credentials. */
  authorize?(options: { signal?: AbortSignal; refresh: boolean }): Promise<Record<string, string>>;
  /** The largest response body read, in bytes. Default 10 MiB. */
  maxResponseBytes?: number;
}

export interface HttpClient {
  readonly provider: string;
  readonly limiter: RateLimiter;
  /** Sends once and resolves whatever the status; rejects only `network`, `timeout`, `aborted`. */
  send(spec: RequestSpec, attempt?: number): Promise<HttpResponse>;
  /**
   * Sends with the store's retry policy; `interpret` turns each response into the result or throws
   * a `ContactSyncError` (retried when `retryable`). A 401 renews the credentials once.
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
    retry: 0,
    throwHttpErrors: false,
    fetch: options.fetch,
    headers: { accept: 'application/json', ...options.headers },
  });

  // Without a fetch of the caller's, bodies skip ky's Request stream (see `sendDirect`).
  const direct = !options.fetch;
  const secretsOf = (spec?: RequestSpec) => [...options.secrets(), ...(spec?.sensitive ?? [])];
  const redact = (text: string, spec?: RequestSpec) => redactText(text, secretsOf(spec));

  function emit<K extends keyof Hooks>(name: K, event: Parameters<NonNullable<Hooks[K]>>[0]) {
    try {
      (options.hooks?.[name] as ((event: unknown) => void) | undefined)?.(event);
    } catch {
      // A failing hook must not change the outcome of the call.
    }
  }

  async function send(spec: RequestSpec, attempt = 1): Promise<HttpResponse> {
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
    const authHeaders =
      options.authorize && spec.authorize !== false
        ? await options.authorize({ signal: spec.signal, refresh: false })
        : undefined;
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
    try {
      const response = await client(pathWithQuery(spec), kyOptions(spec, authHeaders, direct));
      const text = await readText(response, maxBytes, deadline);
      if (event) {
        emit('onResponse', {
          ...event,
          status: response.status,
          durationMs: performance.now() - started,
        });
      }
      return { status: response.status, headers: response.headers, text, body: parseJson(text) };
    } catch (error) {
      throw transportError(error, spec);
    }
  }

  function transportError(error: unknown, spec: RequestSpec): ContactSyncError {
    if (error instanceof ContactSyncError) return error;
    const base = { provider, operation: spec.operation, route: `${spec.method} ${spec.route}` };
    if (spec.signal?.aborted) return abortError(spec.signal, base);
    const cause = sanitizedCause(error, spec);
    if (error instanceof Error && error.name === 'TimeoutError') {
      return new ContactSyncError({ ...base, code: 'timeout', cause });
    }
    return new ContactSyncError({ ...base, code: 'network', cause });
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
    const policy = spec.retry === false ? { ...options.retry, retries: 0 } : options.retry;
    if (policy.retries === 0) return once(attemptOnce, spec.signal);
    return withRetry(attemptOnce, {
      policy,
      signal: spec.signal,
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

  return { provider, limiter, send, request, failure, preview, redact };
}

/** The code a bare HTTP status means, before any vendor-specific reading of the body. */
export function codeForStatus(status: number): ContactSyncErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 422) return 'invalid_input';
  return 'provider_error';
}

/** `Retry-After` in ms, from seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The human explanation in a vendor's error body, under its usual keys. */
export function vendorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['message', 'error', 'errors', 'detail']) {
    const value = record[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/**
 * Encodes one path segment so that `/`, `?`, `#` or `%` in an id cannot reach another endpoint.
 * `.` and `..` cannot be encoded at all (URL parsers read `%2E%2E` as `..` too), nor can a lone
 * surrogate: those are refused `invalid_input` (ids are checked before this; this is the backstop).
 */
export function pathSegment(value: string | number): string {
  const text = String(value);
  const refused = () =>
    new ContactSyncError({
      code: 'invalid_input',
      issues: [{ path: 'id', message: 'cannot be placed in a URL path' }],
    });
  if (text === '.' || text === '..' || text === '') throw refused();
  try {
    return encodeURIComponent(text);
  } catch {
    throw refused();
  }
}

/** ky's options for a request: only the keys in use, since ky merges every key it is given. */
function kyOptions(
  spec: RequestSpec,
  authHeaders: Record<string, string> | undefined,
  direct: boolean,
): Options {
  const request: Options = { method: spec.method };
  const headers: Record<string, string> = { ...authHeaders, ...spec.headers };
  if (spec.json !== undefined) {
    const body = JSON.stringify(spec.json);
    headers['content-type'] ??= 'application/json';
    // ky's Request then has no body stream to build and tee: the body goes to fetch as written.
    if (direct) request.fetch = (input, init) => sendDirect(input as Request, init, body);
    else request.body = body;
  }
  request.headers = headers;
  if (spec.signal) request.signal = spec.signal;
  return request;
}

/**
 * Hands ky's request to Node's fetch with its body as the string it was made from: undici writes
 * it in one buffer with its length, instead of reading it back through a stream.
 */
function sendDirect(
  request: Request,
  init: RequestInit | undefined,
  body: string,
): Promise<Response> {
  return fetch(request.url, {
    ...init,
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
  });
}

/** The path with its query string, built once (ky builds its Request twice for `searchParams`). */
function pathWithQuery(spec: RequestSpec): string {
  const query = compactQuery(spec.query);
  if (!query || Object.keys(query).length === 0) return spec.path;
  return `${spec.path}?${new URLSearchParams(query as Record<string, string>).toString()}`;
}

/**
 * One attempt, settled as `withRetry` settles a policy of no retries (`retry: false`, every create
 * attempt), without p-retry's machinery around it: the same errors, the same abort checks.
 */
async function once<T>(attempt: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  let result: T;
  try {
    result = await attempt(1);
  } catch (error) {
    if (isContactSyncError(error)) throw error;
    if (signal?.aborted) throw abortError(signal);
    throw error instanceof Error ? error : new Error(String(error));
  }
  if (signal?.aborted) throw abortError(signal);
  return result;
}

function compactQuery(query: RequestSpec['query']): Record<string, string | number> | undefined {
  if (!query) return undefined;
  const result: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) result[key] = value;
  return result;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body as text; '' when larger than `maxBytes`; a `TimeoutError` past `deadline`. */
async function readText(response: Response, maxBytes: number, deadline: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    return '';
  }
  const reader = response.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new Error('the vendor did not finish its answer in time');
        error.name = 'TimeoutError';
        reject(error);
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  expired.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return '';
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
