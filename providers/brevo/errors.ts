import * as v from 'valibot';
import type { ContactSyncError, ValidationIssue } from '../../src/errors.js';
import {
  type HttpClient,
  type HttpResponse,
  parseRetryAfter,
  type RequestSpec,
} from '../../src/http.js';
import { ErrorBodySchema } from './api.js';

/** Attribute name → the input path its value came from (for the path of an issue). */
export type Sources = Readonly<Record<string, string>>;

/**
 * Brevo's answer → `ContactSyncError`, a pure function of the response. Brevo's body is
 * `{ code, message[, metadata] }`:
 * - a duplicate identifier is `conflict`, read from `metadata.duplicate_identifiers` first, then
 *   `code: duplicate_parameter`, then the message (one report saw `invalid_parameter` for it);
 * - other 400s are `invalid_input`, naming `phone` or the attribute's input path when the message
 *   does;
 * - 401/403 `unauthorized`, 404 `not_found`, 402 (credits) not retryable;
 * - 425 (too early, cause unconfirmed) and 429 retryable; the wait is `Retry-After` or Brevo's
 *   `x-sib-ratelimit-reset` (seconds), whichever it sends;
 * - 5xx `provider_error`, retryable.
 */
export function toBrevoError(
  http: HttpClient,
  response: HttpResponse,
  spec: RequestSpec,
  sources: Sources = {},
): ContactSyncError {
  const { status } = response;
  const body = v.safeParse(ErrorBodySchema, response.body);
  const error = body.success ? body.output : {};
  const providerCode = error.code ?? undefined;
  const message = error.message ?? '';
  const base = { ...(providerCode ? { providerCode } : {}) };
  if (status === 429 || status === 425) {
    return http.failure(response, spec, {
      ...base,
      code: status === 429 ? 'rate_limited' : 'provider_error',
      retryable: true,
      retryAfterMs: retryAfterOf(response),
    });
  }
  if (status >= 500) return http.failure(response, spec, base);
  if (status === 401 || status === 403) {
    return http.failure(response, spec, { ...base, code: 'unauthorized', retryable: false });
  }
  if (status === 400 && isDuplicate(error)) {
    return http.failure(response, spec, { ...base, code: 'conflict', retryable: false });
  }
  if (status === 400) {
    return http.failure(response, spec, {
      ...base,
      code: 'invalid_input',
      retryable: false,
      issues: [issueOf(message, sources)],
    });
  }
  return http.failure(response, spec, { ...base, retryable: false });
}

/** True when a 400 says another contact holds an identifier this write sends. */
export function isDuplicate(error: v.InferOutput<typeof ErrorBodySchema> | Record<string, never>) {
  if ('metadata' in error && error.metadata?.duplicate_identifiers?.length) return true;
  if ('code' in error && error.code === 'duplicate_parameter') return true;
  const message = ('message' in error && error.message) || '';
  return /already (associated|exists?)|unique SMS/i.test(message);
}

/** The wait a 429 asks for: `Retry-After`, else `x-sib-ratelimit-reset` (seconds until reset). */
export function retryAfterOf(response: HttpResponse): number | undefined {
  return (
    parseRetryAfter(response.headers.get('retry-after')) ??
    parseRetryAfter(response.headers.get('x-sib-ratelimit-reset'))
  );
}

function issueOf(message: string, sources: Sources): ValidationIssue {
  if (/phone|sms/i.test(message))
    return { path: 'phone', message: 'Brevo refused the phone number' };
  if (/whatsapp/i.test(message))
    return { path: 'phone', message: 'Brevo refused the WhatsApp number' };
  for (const [attribute, path] of Object.entries(sources)) {
    if (new RegExp(`\\b${attribute}\\b`, 'i').test(message)) {
      return { path, message: `Brevo refused attribute ${attribute}` };
    }
  }
  return { path: '', message: 'Brevo refused the request' };
}
