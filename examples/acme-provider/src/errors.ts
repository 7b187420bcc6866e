import type {
  ContactSyncError,
  ContactSyncErrorOptions,
  HttpClient,
  HttpResponse,
  RequestSpec,
} from 'contact-sync/provider';
import { errorOf } from './api.js';

/**
 * Acme's answer → `ContactSyncError`, a pure function of the response. The status decides the
 * code (`codeForStatus`: 401 → unauthorized, 404 → not_found, 409 → conflict, 422 → invalid_input,
 * 429 → rate_limited, 5xx → provider_error); the body adds Acme's type, the field at fault and,
 * on a 409, the id of the contact that already holds the phone.
 */
export function toAcmeError(
  http: HttpClient,
  response: HttpResponse,
  spec: RequestSpec,
): ContactSyncError {
  const error = errorOf(response.body);
  if (!error) return http.failure(response, spec);
  const fields: Partial<ContactSyncErrorOptions> = {
    providerCode: error.type,
    detail: error.message ?? undefined,
  };
  if (response.status === 409 && error.contact_id) fields.existingId = error.contact_id;
  if (response.status === 422 && error.field) {
    fields.issues = [{ path: commonField(error.field), message: error.message ?? 'refused' }];
  }
  return http.failure(response, spec, fields);
}

/** Acme's field name → the common one, so an `invalid_input` names the caller's field. */
function commonField(field: string): string {
  const names: Record<string, string> = {
    phone: 'phone',
    first_name: 'firstName',
    last_name: 'lastName',
    display_name: 'name',
  };
  return names[field] ?? field;
}
