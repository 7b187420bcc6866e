import * as v from 'valibot';
import { ContactSyncError } from '../../src/errors.js';
import type { HttpClient, HttpResponse, RequestSpec } from '../../src/http.js';
import { ErrorBodySchema } from './api.js';

/** What a documented Notificore refusal means, matched on a distinctive fragment. */
export type NotificoreRefusal = 'phone_exists' | 'invalid_contact_id' | 'invalid_phone';

const REFUSALS: [RegExp, NotificoreRefusal][] = [
  [/already exist/i, 'phone_exists'],
  [/invalid contact id/i, 'invalid_contact_id'],
  [/invalid phone number format/i, 'invalid_phone'],
];

/** The documented 422 refusal a response carries, if any. */
export function notificoreRefusal(response: HttpResponse): NotificoreRefusal | undefined {
  if (response.status !== 422 && response.status !== 400) return undefined;
  const body = v.safeParse(ErrorBodySchema, response.body);
  const message = body.success ? body.output.message : undefined;
  if (!message) return undefined;
  return REFUSALS.find(([pattern]) => pattern.test(message))?.[1];
}

/** True when the response says the contact id does not exist (422 "Invalid contact id" or 404). */
export function isUnknownContact(response: HttpResponse): boolean {
  return response.status === 404 || notificoreRefusal(response) === 'invalid_contact_id';
}

/**
 * The `ContactSyncError` of a contact-endpoint response that is not a success. 429 and 5xx map
 * by status before the body is read; 422 by its `message`; other 4xx by status.
 */
export function toNotificoreError(
  http: HttpClient,
  response: HttpResponse,
  spec: RequestSpec,
  extra: { existingId?: string } = {},
): ContactSyncError {
  const { status } = response;
  if (status === 429 || status >= 500) return http.failure(response, spec);
  if (status === 401 || status === 403) {
    return http.failure(response, spec, { code: 'unauthorized', retryable: false });
  }
  switch (notificoreRefusal(response)) {
    case 'phone_exists':
      return http.failure(response, spec, { code: 'conflict', retryable: false, ...extra });
    case 'invalid_contact_id':
      return http.failure(response, spec, { code: 'not_found', retryable: false });
    case 'invalid_phone':
      return http.failure(response, spec, {
        code: 'invalid_input',
        retryable: false,
        issues: [{ path: 'phone', message: 'Notificore refused the phone number format' }],
      });
    default:
      return http.failure(response, spec, { retryable: false });
  }
}

/** The error of a 2xx body that does not have the documented shape. */
export function invalidResponse(spec: RequestSpec): ContactSyncError {
  // No cause: a schema issue quotes the value it received, which may be a phone number.
  return new ContactSyncError({
    code: 'invalid_response',
    provider: 'notificore',
    operation: spec.operation,
    route: `${spec.method} ${spec.route}`,
    retryable: false,
  });
}
