import { pathSegment, type Recovery, type RequestSpec } from '../../src/http.js';
import { phoneForms } from '../../src/redact.js';
import type { AttributeValue } from './attributes.js';

/**
 * Every request the adapter sends, described once: the driver sends them and `preview` shows
 * them. Paths are relative to the base URL (`…/v3`), ids encoded with `pathSegment`; every
 * contact path names its `identifierType` (a digit string alone is ambiguous to Brevo).
 */

/** What a call passes down: its signal, and on a create how to retry it safely. */
export interface CallContext {
  signal?: AbortSignal;
  recovery?: Recovery;
}

/** The body of `POST /contacts` and `PUT /contacts/{id}` the adapter writes. */
export interface BrevoWriteBody {
  attributes?: Record<string, AttributeValue>;
  listIds?: number[];
  smsBlacklisted?: boolean;
}

export function createRequest(body: BrevoWriteBody, phone: string, call: CallContext): RequestSpec {
  return {
    operation: 'create',
    method: 'POST',
    path: 'contacts',
    route: '/contacts',
    json: body,
    signal: call.signal,
    recovery: call.recovery,
    sensitive: phoneForms(phone),
  };
}

export function getRequest(id: string, operation: string, call: CallContext): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: `contacts/${pathSegment(id)}`,
    route: '/contacts/…',
    query: { identifierType: 'contact_id' },
    signal: call.signal,
  };
}

/** `GET /contacts/%2B33612345678?identifierType=phone_id`: the contact whose SMS is `phone`. */
export function findByPhoneRequest(
  phone: string,
  operation: string,
  call: CallContext,
): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: `contacts/${pathSegment(phone)}`,
    route: '/contacts/…',
    query: { identifierType: 'phone_id' },
    signal: call.signal,
    sensitive: phoneForms(phone),
  };
}

export function updateRequest(
  id: string,
  body: BrevoWriteBody,
  phone: string | undefined,
  operation: string,
  call: CallContext,
): RequestSpec {
  return {
    operation,
    method: 'PUT',
    path: `contacts/${pathSegment(id)}`,
    route: '/contacts/…',
    query: { identifierType: 'contact_id' },
    json: body,
    signal: call.signal,
    sensitive: phoneForms(phone),
  };
}

export function deleteRequest(id: string, call: CallContext): RequestSpec {
  return {
    operation: 'delete',
    method: 'DELETE',
    path: `contacts/${pathSegment(id)}`,
    route: '/contacts/…',
    query: { identifierType: 'contact_id' },
    signal: call.signal,
  };
}

/** One offset page of `GET /contacts`, oldest first (so contacts created meanwhile come last). */
export function listRequest(
  operation: string,
  limit: number,
  offset: number,
  signal?: AbortSignal,
): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: 'contacts',
    route: '/contacts',
    query: { limit, offset, sort: 'asc' },
    signal,
  };
}

export function attributesRequest(): RequestSpec {
  return {
    operation: 'attributes',
    method: 'GET',
    path: 'contacts/attributes',
    route: '/contacts/attributes',
  };
}

/** The body of `POST /contacts/import` the adapter sends: creates only, no email to the owner. */
export interface ImportBody {
  jsonBody: { attributes: Record<string, AttributeValue> }[];
  listIds: number[];
  updateExistingContacts: false;
  emptyContactsAttributes: false;
  disableNotification: true;
}

export function importRequest(
  body: ImportBody,
  phones: readonly string[],
  call: CallContext,
): RequestSpec {
  return {
    operation: 'upsert',
    method: 'POST',
    path: 'contacts/import',
    route: '/contacts/import',
    json: body,
    signal: call.signal,
    sensitive: phones.flatMap(phoneForms),
  };
}

export function processRequest(id: string, call: CallContext): RequestSpec {
  return {
    operation: 'upsert',
    method: 'GET',
    path: `processes/${pathSegment(id)}`,
    route: '/processes/…',
    signal: call.signal,
  };
}
