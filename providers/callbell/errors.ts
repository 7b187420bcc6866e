import type { ContactSyncError, ContactSyncErrorOptions } from '../../src/errors.js';
import type { HttpClient, HttpResponse, RequestSpec } from '../../src/http.js';

/**
 * Callbell's answer → `ContactSyncError`. Callbell documents no error body, so the explanation is
 * read from `message`, `error` or `errors` (a string, a list, or field → messages), else the text.
 * 429 and 5xx map by status alone; 401/403 → unauthorized; 404 → not_found; 409, or a 400/422 on
 * create saying the contact already exists → conflict; other 400/422 → invalid_input.
 */
export function toCallbellError(
  http: HttpClient,
  response: HttpResponse,
  spec: RequestSpec,
  fields: Partial<ContactSyncErrorOptions> = {},
): ContactSyncError {
  const { status } = response;
  if (status === 429 || status >= 500) return http.failure(response, spec, fields);
  const detail = callbellMessage(response);
  const providerCode = providerCodeOf(response.body);
  if (
    status === 409 ||
    (isValidationStatus(status) && spec.operation === 'create' && saysExists(detail))
  ) {
    return http.failure(response, spec, { code: 'conflict', detail, providerCode, ...fields });
  }
  if (isValidationStatus(status)) {
    return http.failure(response, spec, { code: 'invalid_input', detail, providerCode, ...fields });
  }
  return http.failure(response, spec, { detail, providerCode, ...fields });
}

/** The vendor's explanation of a failure, under whichever key it used. */
export function callbellMessage(response: HttpResponse): string | undefined {
  const body = response.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'error', 'errors']) {
      const text = textOf(record[key]);
      if (text) return text;
    }
  }
  return response.text.trim() ? response.text.trim().slice(0, 300) : undefined;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (Array.isArray(value)) return value.map(textOf).filter(Boolean).join('; ') || undefined;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.message === 'string') return record.message;
    const parts = Object.entries(record).map(([key, item]) => `${key}: ${textOf(item) ?? ''}`);
    return parts.join('; ') || undefined;
  }
  return undefined;
}

/** Callbell's own error code, should a body carry one (none is documented). */
function providerCodeOf(body: unknown): string | number | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const code = (body as Record<string, unknown>).code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

function isValidationStatus(status: number): boolean {
  return status === 400 || status === 422;
}

function saysExists(detail: string | undefined): boolean {
  return (
    detail !== undefined &&
    /already (exists?|taken|registered|present)|has already been taken/i.test(detail)
  );
}
