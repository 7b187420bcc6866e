import type { EmulatorRequest, EmulatorResponse } from '../emulator.js';
import {
  type BookState,
  type EmulatedField,
  isResponse,
  notAllowed,
  readIdList,
  refusal,
} from './book.js';

/**
 * The account's custom fields: list, create (`name`, `type` required), `PATCH` (name,
 * description, visibility; the type cannot change) and bulk delete (≤ 30 ids, values included).
 * The docs spell the types `text|number|date` (SDK, responses) and `string|integer|datetime`
 * (request table): which one the server takes is unconfirmed, so both are accepted and stored as
 * the first.
 */
const TYPE_ALIASES: Record<string, EmulatedField['type']> = {
  text: 'text',
  number: 'number',
  date: 'date',
  string: 'text',
  integer: 'number',
  datetime: 'date',
};

export function routeFields(
  request: EmulatorRequest,
  state: BookState,
): EmulatorResponse | undefined {
  const { method, path } = request;
  if (path === '/api/contacts/fields') {
    if (method === 'GET') return { status: 200, body: { data: state.fields.map(fieldBody) } };
    if (method === 'POST') return createField(request.body, state);
    return notAllowed();
  }
  if (path === '/api/contacts/fields/delete') {
    return method === 'POST' ? deleteFields(request.body, state) : notAllowed();
  }
  const match = /^\/api\/contacts\/fields\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  if (method !== 'PATCH') return notAllowed();
  const field = /^\d+$/.test(match[1] as string)
    ? state.fields.find((item) => item.id === Number(match[1]))
    : undefined;
  if (!field) return refusal('Contact field is not found');
  return updateField(field, request.body);
}

export function fieldBody(field: EmulatedField) {
  return {
    id: field.id,
    name: field.name,
    type: field.type ?? 'text',
    description: field.description ?? null,
    is_visible: field.isVisible ?? true,
  };
}

function createField(body: unknown, state: BookState): EmulatorResponse {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.name !== 'string' || !input.name.trim()) {
    return refusal('The name field is required.');
  }
  const type = typeof input.type === 'string' ? TYPE_ALIASES[input.type] : undefined;
  if (!type) return refusal('The selected type is invalid.');
  if (input.description !== undefined && typeof input.description !== 'string') {
    return refusal('The description must be a string.');
  }
  if (input.is_visible !== undefined && typeof input.is_visible !== 'boolean') {
    return refusal('The is visible field must be true or false.');
  }
  const field: EmulatedField = {
    id: state.nextFieldId++,
    name: input.name,
    type,
    description: (input.description as string | undefined) ?? null,
    isVisible: (input.is_visible as boolean | undefined) ?? true,
  };
  state.fields.push(field);
  return { status: 201, body: { data: fieldBody(field) } };
}

function updateField(field: EmulatedField, body: unknown): EmulatorResponse {
  const input = (body ?? {}) as Record<string, unknown>;
  if (input.type !== undefined) return refusal('The type of a contact field cannot be changed.');
  const known = ['name', 'description', 'is_visible'].filter((key) => input[key] !== undefined);
  if (!known.length) return refusal('One of name, description or is_visible is required.');
  if (input.name !== undefined && (typeof input.name !== 'string' || !input.name.trim())) {
    return refusal('The name must be a string.');
  }
  if (input.description !== undefined && typeof input.description !== 'string') {
    return refusal('The description must be a string.');
  }
  if (input.is_visible !== undefined && typeof input.is_visible !== 'boolean') {
    return refusal('The is visible field must be true or false.');
  }
  if (typeof input.name === 'string') field.name = input.name;
  if (typeof input.description === 'string') field.description = input.description;
  if (typeof input.is_visible === 'boolean') field.isVisible = input.is_visible;
  return { status: 200, body: { data: fieldBody(field) } };
}

/** `{ ids: [≤ 30] }`: the fields and every value stored in them. */
function deleteFields(body: unknown, state: BookState): EmulatorResponse {
  const ids = readIdList((body as { ids?: unknown } | undefined)?.ids, 'ids', 30);
  if (isResponse(ids)) return ids;
  state.fields = state.fields.filter((field) => !ids.includes(field.id));
  for (const contact of state.contacts.values()) {
    for (const id of ids) contact.fields.delete(id);
  }
  return { status: 204 };
}
