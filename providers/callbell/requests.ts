import { pathSegment, type RequestSpec } from '../../src/http.js';
import { phoneForms } from '../../src/redact.js';
import type { CallbellCreateBody, CallbellFields } from './mappers.js';
import { phoneDigits } from './mappers.js';

/** The requests of the Callbell contacts API, described once for the driver and `preview`. */

export function createRequest(body: CallbellCreateBody, phone: string): RequestSpec {
  return {
    operation: 'create',
    method: 'POST',
    path: 'contacts',
    route: '/contacts',
    json: body,
    sensitive: phoneForms(phone),
  };
}

/** The phone is never in it: Callbell cannot change a contact's number. */
export function updateRequest(id: string, fields: CallbellFields): RequestSpec {
  return {
    operation: 'update',
    method: 'PATCH',
    path: `contacts/${pathSegment(id)}`,
    route: '/contacts/…',
    json: fields,
  };
}

export function deleteRequest(id: string): RequestSpec {
  return {
    operation: 'delete',
    method: 'DELETE',
    path: `contacts/${pathSegment(id)}`,
    route: '/contacts/…',
  };
}

export function getRequest(id: string, operation = 'get'): RequestSpec {
  return { operation, method: 'GET', path: `contacts/${pathSegment(id)}`, route: '/contacts/…' };
}

/** Without `channel_uuid`, Callbell searches only the main WhatsApp channel. */
export function findByPhoneRequest(
  phone: string,
  channelUuid: string | undefined,
  operation: string,
): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: `contacts/phone/${pathSegment(phoneDigits(phone))}`,
    route: '/contacts/phone/…',
    query: { channel_uuid: channelUuid },
    sensitive: phoneForms(phone),
  };
}

/**
 * The store's part of the contacts: WhatsApp ones (`source`, documented), of its channel
 * (`channel_uuid`, documented for the lookup by phone, not for the list: sent, and the answer is
 * filtered on each contact's `channel` too). Sent again with every cursor, as the docs ask.
 */
function scopeQuery(channelUuid: string | undefined) {
  return { source: 'whatsapp', channel_uuid: channelUuid };
}

/** A page by number, or by the cursor of the previous page (Callbell then ignores `page`). */
export function listRequest(
  position: { page: number } | { after: string },
  channelUuid?: string,
): RequestSpec {
  const at = 'after' in position ? { after: position.after } : { page: position.page };
  return {
    operation: 'list',
    method: 'GET',
    path: 'contacts',
    route: '/contacts',
    query: { ...at, ...scopeQuery(channelUuid) },
  };
}

/** The first page with `customFieldsMetadata`: where the account's field types can be read. */
export function fieldTypesRequest(channelUuid: string | undefined): RequestSpec {
  return {
    operation: 'fieldTypes',
    method: 'GET',
    path: 'contacts',
    route: '/contacts',
    query: { page: 1, ...scopeQuery(channelUuid), include_field_types: 'true' },
  };
}
