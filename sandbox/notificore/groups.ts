import type { EmulatorRequest, EmulatorResponse } from '../emulator.js';
import {
  type BookState,
  GROUP_EXISTS,
  GROUP_NOT_FOUND,
  isResponse,
  notAllowed,
  readIdList,
  readPage,
  refusal,
  type StoredList,
} from './book.js';
import { meets, ORDERED, ordered, readCriteria, readOrder, TEXTUAL } from './search.js';

/**
 * Contact lists ("groups"): CRUD, membership through `attach`/`detach` (1–200 contacts × 1–20
 * lists a call), and search. Deleting a list keeps its contacts (the vendor's SDK says so).
 */
export function routeGroups(
  request: EmulatorRequest,
  state: BookState,
): EmulatorResponse | undefined {
  const { method, path } = request;
  if (path === '/api/groups') {
    if (method === 'GET') return listGroups(request.query, state);
    if (method === 'POST') return createGroup(request.body, state);
    return notAllowed();
  }
  if (path === '/api/groups/search') {
    return method === 'GET' ? searchGroups(request.query, state) : notAllowed();
  }
  if (path === '/api/groups/attach' || path === '/api/groups/detach') {
    return method === 'POST'
      ? membership(request.body, state, path.endsWith('attach'))
      : notAllowed();
  }
  const match = /^\/api\/groups\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  const list = /^\d+$/.test(match[1] as string)
    ? state.lists.find((item) => item.id === Number(match[1]))
    : undefined;
  if (method === 'GET')
    return list
      ? { status: 200, body: { data: groupBody(list, state) } }
      : refusal(GROUP_NOT_FOUND);
  if (method === 'PUT')
    return list ? updateGroup(list, request.body, state) : refusal(GROUP_NOT_FOUND);
  if (method === 'DELETE') {
    if (!list) return refusal(GROUP_NOT_FOUND);
    state.lists = state.lists.filter((item) => item !== list);
    for (const contact of state.contacts.values()) {
      contact.groups = contact.groups.filter((id) => id !== list.id);
    }
    return { status: 204 };
  }
  return notAllowed();
}

/** A list as the vendor returns it; `items` counts its contacts. */
export function groupBody(list: StoredList, state: BookState, defaultKey = 'default') {
  const items = [...state.contacts.values()].filter((contact) =>
    contact.groups.includes(list.id),
  ).length;
  return {
    id: list.id,
    name: list.name,
    description: list.description ?? '',
    [defaultKey]: list.default ?? false,
    created_at: list.created_at,
    items,
    stop_list_count: 0,
  };
}

function listGroups(query: URLSearchParams, state: BookState): EmulatorResponse {
  const page = readPage(query, 30);
  if (isResponse(page)) return page;
  const data = state.lists
    .slice(page.offset, page.offset + page.limit)
    .map((list) => groupBody(list, state));
  return { status: 200, body: { data, total: state.lists.length } };
}

/** `name` (≤ 50, unique), `description` (≤ 250), `default` (boolean). */
function readGroupInput(
  body: unknown,
  state: BookState,
  self: StoredList | undefined,
): Pick<StoredList, 'name' | 'description' | 'default'> | EmulatorResponse {
  const input = (body ?? {}) as Record<string, unknown>;
  const name = input.name ?? self?.name;
  if (typeof name !== 'string' || !name.trim()) return refusal('The name field is required.');
  if (name.length > 50) return refusal('The name may not be greater than 50 characters.');
  const description = input.description ?? self?.description ?? '';
  if (typeof description !== 'string' || description.length > 250) {
    return refusal('The description may not be greater than 250 characters.');
  }
  const isDefault = input.default ?? self?.default ?? false;
  if (typeof isDefault !== 'boolean' && isDefault !== 0 && isDefault !== 1) {
    return refusal('The default field must be true or false.');
  }
  if (state.lists.some((list) => list !== self && list.name === name)) return refusal(GROUP_EXISTS);
  return { name, description, default: Boolean(isDefault) };
}

function createGroup(body: unknown, state: BookState): EmulatorResponse {
  const input = readGroupInput(body, state, undefined);
  if (isResponse(input)) return input;
  const list: StoredList = { id: state.nextListId++, ...input, created_at: state.stamp() };
  state.lists.push(list);
  return { status: 201, body: { data: groupBody(list, state) } };
}

function updateGroup(list: StoredList, body: unknown, state: BookState): EmulatorResponse {
  const input = readGroupInput(body, state, list);
  if (isResponse(input)) return input;
  Object.assign(list, input);
  return { status: 200, body: { data: groupBody(list, state) } };
}

/** `{ contacts: [1–200 ids], groups: [1–20 ids] }`: every contact joins (leaves) every list. */
function membership(body: unknown, state: BookState, attach: boolean): EmulatorResponse {
  const input = (body ?? {}) as Record<string, unknown>;
  const contacts = readIdList(input.contacts, 'contacts', 200);
  if (isResponse(contacts)) return contacts;
  const groups = readIdList(input.groups, 'groups', 20);
  if (isResponse(groups)) return groups;
  const unknownContact = contacts.findIndex((id) => !state.contacts.has(id));
  if (unknownContact >= 0) return refusal(`The selected contacts.${unknownContact} is invalid.`);
  const listIds = new Set(state.lists.map((list) => list.id));
  const unknownGroup = groups.findIndex((id) => !listIds.has(id));
  if (unknownGroup >= 0) return refusal(`The selected groups.${unknownGroup} is invalid.`);
  for (const id of contacts) {
    const contact = state.contacts.get(id);
    if (!contact) continue;
    contact.groups = attach
      ? [...new Set([...contact.groups, ...groups])]
      : contact.groups.filter((group) => !groups.includes(group));
  }
  return { status: 200, body: { message: attach ? 'Successful attached' : 'Successful detached' } };
}

const GROUP_SORTS = ['id', 'items', 'name', 'description', 'date', 'created_at'];

/** Search fields: text ones take `like`/`=`; `phone` finds the lists holding a number. */
function groupOperators(field: string) {
  if (field === 'name' || field === 'description' || field === 'phone') return TEXTUAL;
  if (field === 'id' || field === 'items' || field === 'date' || field === 'created_at') {
    return ORDERED;
  }
  return undefined;
}

function searchGroups(query: URLSearchParams, state: BookState): EmulatorResponse {
  const page = readPage(query, 50);
  if (isResponse(page)) return page;
  const criteria = readCriteria(query, groupOperators);
  if (isResponse(criteria)) return criteria;
  const order = readOrder(query, GROUP_SORTS);
  if (isResponse(order)) return order;
  const rows = state.lists.map((list) => groupBody(list, state, 'is_default'));
  const fieldOf = (row: (typeof rows)[number], field: string): string | number | undefined => {
    if (field === 'date' || field === 'created_at') return row.created_at;
    if (field === 'phone') return undefined;
    return row[field as 'id' | 'items' | 'name' | 'description'];
  };
  const matches = rows.filter((row) =>
    criteria.every((criterion) =>
      criterion.field === 'phone'
        ? [...state.contacts.values()].some(
            (contact) =>
              contact.groups.includes(row.id) &&
              (criterion.operator === 'like'
                ? String(contact.phone).includes(criterion.value.replaceAll('%', ''))
                : String(contact.phone) === criterion.value),
          )
        : meets(fieldOf(row, criterion.field), criterion),
    ),
  );
  const sorted = ordered(matches, (row) => fieldOf(row, order.sort) ?? '', order.descending);
  const last = criteria.at(-1);
  return {
    status: 200,
    body: {
      data: sorted.slice(page.offset, page.offset + page.limit),
      meta: {
        page: { total: matches.length, limit: page.limit, offset: page.offset },
        search: last ?? null,
      },
    },
  };
}
