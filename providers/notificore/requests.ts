import type { Recovery, RequestSpec } from '../../src/http.js';
import { pathSegment } from '../../src/http.js';
import { phoneForms } from '../../src/redact.js';

/**
 * Every request the adapter sends, described once: the driver sends them and `preview` shows
 * them. Paths are relative to the base URL (ky's `prefixUrl`), ids encoded with `pathSegment`.
 */

/** What a call passes down: its signal, and on a create how to retry it safely. */
export interface CallContext {
  signal?: AbortSignal;
  recovery?: Recovery;
}

/** A `fields` element of a request: by id, or by name in a preview before names are resolved. */
export type FieldValueBody = { id: number; value: string } | { name: string; value: string };

export interface CreateBody {
  phone: number;
  groups?: number[];
  fields: FieldValueBody[];
}

export interface UpdateBody {
  /** Always sent: the vendor requires it on every PUT (absent only in a preview). */
  phone?: number;
  fields: FieldValueBody[];
}

/** `POST /api/auth/login`: sent without the bearer, once (`http.send`: the calling request is retried). */
export function loginSpec(apiKey: string): RequestSpec {
  return {
    operation: 'login',
    method: 'POST',
    path: 'api/auth/login',
    route: '/api/auth/login',
    json: { api_key: apiKey },
    authorize: false,
  };
}

/** `GET /api/contacts/fields`: the account's custom fields. */
export function fieldsSpec(operation: string): RequestSpec {
  return { operation, method: 'GET', path: 'api/contacts/fields', route: '/api/contacts/fields' };
}

export function createSpec(body: CreateBody, phone: string, call: CallContext): RequestSpec {
  return {
    operation: 'create',
    method: 'POST',
    path: 'api/contacts',
    route: '/api/contacts',
    json: body,
    signal: call.signal,
    recovery: call.recovery,
    sensitive: phoneForms(phone),
  };
}

export function getSpec(id: string, operation: string, call: CallContext): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: `api/contacts/${pathSegment(id)}`,
    route: '/api/contacts/…',
    signal: call.signal,
  };
}

export function updateSpec(
  id: string,
  body: UpdateBody,
  phone: string | undefined,
  call: CallContext,
): RequestSpec {
  return {
    operation: 'update',
    method: 'PUT',
    path: `api/contacts/${pathSegment(id)}`,
    route: '/api/contacts/…',
    json: body,
    signal: call.signal,
    sensitive: phoneForms(phone),
  };
}

export function deleteSpec(id: string, call: CallContext): RequestSpec {
  return {
    operation: 'delete',
    method: 'DELETE',
    path: `api/contacts/${pathSegment(id)}`,
    route: '/api/contacts/…',
    signal: call.signal,
  };
}

/**
 * `GET /api/contacts/search` for one phone. The docs spell the operator key both
 * `search[operator]` and `search[operation]`; both are sent (an unread key is harmless).
 */
export function searchSpec(phone: string, operation: string, call: CallContext): RequestSpec {
  return {
    operation,
    method: 'GET',
    path: 'api/contacts/search',
    route: '/api/contacts/search',
    query: {
      'search[field]': 'phone',
      'search[operator]': '=',
      'search[operation]': '=',
      'search[value]': phone.replace(/\D/g, ''),
    },
    signal: call.signal,
    sensitive: phoneForms(phone),
  };
}

/** `GET /api/contacts`, one offset page. */
export function listSpec(limit: number, offset: number, signal?: AbortSignal): RequestSpec {
  return {
    operation: 'list',
    method: 'GET',
    path: 'api/contacts',
    route: '/api/contacts',
    query: { 'page[limit]': limit, 'page[offset]': offset },
    signal,
  };
}
