import { pathSegment, phoneForms, type RequestSpec } from 'contact-sync/provider';
import type { AcmeFields } from './mappers.js';

/** The requests of Acme's contacts API, described once for the driver and for `preview`. */

export function createRequest(fields: AcmeFields, phone: string): RequestSpec {
  return {
    operation: 'create',
    method: 'POST',
    path: 'contacts',
    route: '/contacts',
    json: fields,
    // The phone travels in the body: keep it out of every message and event.
    sensitive: phoneForms(phone),
  };
}

export function updateRequest(id: string, fields: AcmeFields): RequestSpec {
  return {
    operation: 'update',
    method: 'PATCH',
    path: `contacts/${pathSegment(id)}`,
    route: '/contacts/…',
    json: fields,
    sensitive: phoneForms(fields.phone),
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

export function findByPhoneRequest(phone: string, operation = 'findByPhone'): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: 'contacts',
    route: '/contacts',
    query: { phone },
    sensitive: phoneForms(phone),
  };
}

/** One page of the list: Acme pages by an opaque cursor, `next` in each answer. */
export function listRequest(pageSize: number, after: string | undefined): RequestSpec {
  return {
    operation: 'list',
    method: 'GET',
    path: 'contacts',
    route: '/contacts',
    query: { limit: pageSize, after },
  };
}
