import { ContactSyncError, type ContactSyncErrorCode } from './errors.js';

/** The code a bare HTTP status means, before any vendor-specific reading of the body. */
export function codeForStatus(status: number): ContactSyncErrorCode {
  // A success status where the endpoint documents another (201 to a search, say) is the vendor
  // sending something unexpected, not a failure of the vendor.
  if (status >= 200 && status < 300) return 'invalid_response';
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

/** Query values that are set, as ky's `searchParams` takes them; `undefined` when none is. */
export function compactQuery(
  query: Record<string, string | number | undefined> | undefined,
): Record<string, string | number> | undefined {
  if (!query) return undefined;
  let result: Record<string, string | number> | undefined;
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    result ??= {};
    result[key] = value;
  }
  return result;
}

export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The body as text; '' when larger than `maxBytes`; a `TimeoutError` past `deadline`. Not a speed
 * work-around (it measured the same as `response.text()`): ky's timeout stops at the headers, so a
 * body that never ends would hang the call, and an unbounded body would fill the memory.
 */
export async function readText(
  response: Response,
  maxBytes: number,
  deadline: number,
): Promise<string> {
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
