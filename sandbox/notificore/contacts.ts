import type { EmulatorRequest, EmulatorResponse } from '../emulator.js';
import {
  type BookState,
  INVALID_CONTACT_ID,
  INVALID_PHONE,
  isResponse,
  isVendorPhone,
  notAllowed,
  PHONE_EXISTS,
  readFieldValues,
  readGroups,
  readPage,
  refusal,
  type StoredContact,
  type UpdateSemantics,
} from './book.js';
import {
  type Criterion,
  meets,
  type Operator,
  ORDERED,
  ordered,
  readCriteria,
  readOrder,
  TEXTUAL,
} from './search.js';

/** How the contact routes read and write the book. */
export interface ContactRoutes {
  state: BookState;
  body(contact: StoredContact): Record<string, unknown>;
  create(request: EmulatorRequest): EmulatorResponse;
  updateSemantics: UpdateSemantics;
}

/** `/api/contacts…` except fields: list, search, bulk delete, and one contact by id. */
export function routeContacts(request: EmulatorRequest, routes: ContactRoutes) {
  const { method, path } = request;
  if (path === '/api/contacts') {
    if (method === 'GET') return list(request.query, routes);
    if (method === 'POST') return routes.create(request);
    return notAllowed();
  }
  if (path === '/api/contacts/search') {
    return method === 'GET' ? search(request.query, routes) : notAllowed();
  }
  if (path === '/api/contacts/delete') {
    return method === 'POST' ? bulkDelete(request, routes.state) : notAllowed();
  }
  const match = /^\/api\/contacts\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  if (!['GET', 'PUT', 'DELETE'].includes(method)) return notAllowed();
  const id = decodeURIComponent(match[1] as string);
  const contact = /^\d+$/.test(id) ? routes.state.contacts.get(Number(id)) : undefined;
  if (!contact) return refusal(INVALID_CONTACT_ID);
  if (method === 'GET') return { status: 200, body: { data: routes.body(contact) } };
  if (method === 'PUT') return update(contact, request, routes);
  routes.state.contacts.delete(contact.id);
  return { status: 204 };
}

/**
 * `PUT` requires `phone`. With `replace`, the body is the whole contact: fields and lists it does
 * not carry are gone afterwards; with `merge`, sent fields are written over the held ones (an
 * empty value clears one) and sent lists are joined.
 */
function update(
  contact: StoredContact,
  request: EmulatorRequest,
  routes: ContactRoutes,
): EmulatorResponse {
  const { state } = routes;
  const input = (request.body ?? {}) as Record<string, unknown>;
  if (input.phone === undefined) return refusal('The phone field is required.');
  if (!isVendorPhone(input.phone)) return refusal(INVALID_PHONE);
  const holder = state.contacts.find(input.phone);
  if (holder && holder.id !== contact.id) return refusal(PHONE_EXISTS);
  const groups = readGroups(input.groups, state.lists);
  if (isResponse(groups)) return groups;
  const values = readFieldValues(input.fields, state.fields);
  if (isResponse(values)) return values;
  contact.phone = input.phone;
  state.contacts.set(contact.id, contact); // re-reads the phone for the book's index
  if (routes.updateSemantics === 'replace') {
    contact.groups = groups ?? [];
    contact.fields = new Map();
  } else {
    contact.groups = [...new Set([...contact.groups, ...(groups ?? [])])];
  }
  for (const [id, value] of values) {
    if (value === null) contact.fields.delete(id);
    else contact.fields.set(id, value);
  }
  return { status: 200, body: { data: routes.body(contact) } };
}

function list(query: URLSearchParams, routes: ContactRoutes): EmulatorResponse {
  const page = readPage(query, 30);
  if (isResponse(page)) return page;
  const groups = query.getAll('groups[]').map(Number);
  const all = [...routes.state.contacts.values()].filter(
    (contact) => !groups.length || contact.groups.some((id) => groups.includes(id)),
  );
  const data = all.slice(page.offset, page.offset + page.limit).map(routes.body);
  return { status: 200, body: { data, total: all.length } };
}

/**
 * Fields and their operators as documented: `id` (= > >= < <=), `phone` (like, =), `group_id`
 * (=), `date` (the creation date; its operators are not listed, the ordered ones are taken), a
 * custom-field id (text: like, =; number and date: = > >= < <=).
 */
function contactOperators(state: BookState) {
  return (field: string): readonly Operator[] | undefined => {
    if (field === 'id' || field === 'date') return ORDERED;
    if (field === 'phone') return TEXTUAL;
    if (field === 'group_id') return ['='];
    const custom = /^\d+$/.test(field)
      ? state.fields.find((item) => item.id === Number(field))
      : undefined;
    if (!custom) return undefined;
    return (custom.type ?? 'text') === 'text' ? TEXTUAL : ORDERED;
  };
}

function heldValue(contact: StoredContact, field: string): string | number | undefined {
  if (field === 'id') return contact.id;
  if (field === 'phone') return String(contact.phone);
  if (field === 'date') return contact.created_at;
  return contact.fields.get(Number(field));
}

/**
 * The contacts a search must test: the one holding the phone when the first criterion is
 * `phone = <number>` (through the book's index), otherwise all of them. Every criterion is still
 * tested on what this returns, so the answer is the same either way.
 */
function candidates(criteria: readonly Criterion[], state: BookState): StoredContact[] {
  const [first] = criteria;
  if (first?.field === 'phone' && first.operator === '=' && /^\d+$/.test(first.value)) {
    const held = state.contacts.find(Number(first.value));
    return held ? [held] : [];
  }
  return [...state.contacts.values()];
}

function search(query: URLSearchParams, routes: ContactRoutes): EmulatorResponse {
  const { state } = routes;
  const page = readPage(query, 50);
  if (isResponse(page)) return page;
  const criteria = readCriteria(query, contactOperators(state));
  if (isResponse(criteria)) return criteria;
  const order = readOrder(query, ['id', 'phone']);
  if (isResponse(order)) return order;
  const matches = candidates(criteria, state).filter((contact) =>
    criteria.every((criterion) =>
      criterion.field === 'group_id'
        ? contact.groups.includes(Number(criterion.value))
        : meets(heldValue(contact, criterion.field), criterion),
    ),
  );
  const sorted = ordered(
    matches,
    (contact) => (order.sort === 'phone' ? contact.phone : contact.id),
    order.descending,
  );
  const last = criteria.at(-1);
  return {
    status: 200,
    body: {
      data: sorted.slice(page.offset, page.offset + page.limit).map(routes.body),
      meta: {
        page: { total: matches.length, limit: page.limit, offset: page.offset },
        search: last ? { ...last } : null,
      },
    },
  };
}

/**
 * `POST /api/contacts/delete`: `contact_ids[]` and/or `group_ids[]` (every contact of those
 * lists), up to 5000, in the query string as the SDK sends them, or in a JSON body (unconfirmed).
 */
function bulkDelete(request: EmulatorRequest, state: BookState): EmulatorResponse {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const read = (key: string) => {
    const fromQuery = [...request.query.getAll(`${key}[]`), ...request.query.getAll(key)];
    const fromBody = Array.isArray(body[key]) ? (body[key] as unknown[]) : [];
    return [...fromQuery, ...fromBody].map((item) => Number(item));
  };
  const contactIds = read('contact_ids');
  const groupIds = read('group_ids');
  if (!contactIds.length && !groupIds.length) {
    return refusal('The contact ids field is required when group ids is not present.');
  }
  if ([...contactIds, ...groupIds].some((id) => !Number.isSafeInteger(id) || id < 1)) {
    return refusal('The ids must be integers.');
  }
  if (contactIds.length > 5000)
    return refusal('The contact ids may not have more than 5000 items.');
  for (const contact of [...state.contacts.values()]) {
    if (contactIds.includes(contact.id) || contact.groups.some((id) => groupIds.includes(id))) {
      state.contacts.delete(contact.id);
    }
  }
  return { status: 204 };
}
