import type { EmulatorResponse } from '../emulator.js';
import type { IndexedMap } from '../indexed-map.js';

/**
 * The contact book half of the Notificore emulator: records, validation and the vendor's 422
 * refusals, as the API 2.0 docs describe them. Pure and in memory.
 */

/** A custom field of the emulated Notificore account (`/api/contacts/fields`). */
export interface EmulatedField {
  /** The field's id: contacts carry their values under it. */
  id: number;
  /** The field's name as the vendor shows it (e.g. `First name`). */
  name: string;
  /** `text`, `number` or `date`. Default `text`. */
  type?: string;
  /** Free text shown with the field. Default `null`. */
  description?: string | null;
  /** Whether the field is shown (`is_visible`). Default true. */
  isVisible?: boolean;
}

/** A contact list (group) of the emulated Notificore account (`/api/groups`). */
export interface EmulatedList {
  /** The list's id: contacts name their lists by it. */
  id: number;
  /** The list's name (≤ 50 characters, unique). */
  name: string;
  /** Free text (≤ 250 characters). Default: none. */
  description?: string;
  /** Whether this is the account's default list. Default false. */
  default?: boolean;
}

/** A list as the emulator holds it. */
export interface StoredList extends EmulatedList {
  created_at: string;
}

/**
 * What `PUT /api/contacts/{id}` does with what it is not sent (unconfirmed at the vendor):
 * `replace` (the default, the strictest reading of the verb) keeps only the `fields` and `groups`
 * of the body, erasing the rest; `merge` writes the fields sent over those held and adds the lists.
 */
export type UpdateSemantics = 'replace' | 'merge';

/** The state the route modules share. */
export interface BookState {
  /** By id, and `find(phone)` by phone (phones are unique in a book). */
  contacts: IndexedMap<number, StoredContact, number>;
  lists: StoredList[];
  fields: EmulatedField[];
  nextListId: number;
  nextFieldId: number;
  /** Now, as `Y-m-d H:i:s`. */
  stamp(): string;
}

/**
 * Which of the documented shapes contact responses give `fields` in: `list`
 * (`[{ id, value }]`), `map` (`{ "<id>": value }`) or `code-text` (`[{ code, text }]`).
 */
export type FieldsShape = 'list' | 'map' | 'code-text';

export interface StoredContact {
  id: number;
  phone: number;
  fields: Map<number, string>;
  groups: number[];
  created_at: string;
}

export const FIRST_CONTACT_ID = 248452739;

/** `{ message, errors }`, the vendor's 422 body. */
export function refusal(message: string, errors: unknown = []): EmulatorResponse {
  return { status: 422, body: { message, errors } };
}

export const PHONE_EXISTS = 'Phone number is already exist in contact book';
export const INVALID_PHONE = 'Invalid phone number format';
export const INVALID_CONTACT_ID = 'Invalid contact id';
export const GROUP_EXISTS = 'Contact group is already exists';
export const GROUP_NOT_FOUND = 'Contact group is not found';

export function notAllowed(): EmulatorResponse {
  return { status: 405, body: { message: 'Method Not Allowed' } };
}

export function notFound(): EmulatorResponse {
  return { status: 404, body: { message: 'Not Found' } };
}

/** A JSON array of 1..`max` positive integer ids (digit strings too), or the refusal. */
export function readIdList(value: unknown, name: string, max: number): number[] | EmulatorResponse {
  if (!Array.isArray(value) || value.length === 0) {
    return refusal(`The ${name} field is required.`, { [name]: ['required'] });
  }
  if (value.length > max) {
    return refusal(`The ${name} may not have more than ${max} items.`, { [name]: ['max'] });
  }
  const ids = value.map((item) =>
    typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : item,
  );
  const bad = ids.findIndex((id) => typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1);
  if (bad >= 0) return refusal(`The ${name}.${bad} must be an integer.`);
  return ids as number[];
}

/** A JSON integer of 9–15 digits, as the vendor demands (a string is refused). */
export function isVendorPhone(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isSafeInteger(value) && /^\d{9,15}$/.test(String(value))
  );
}

/** `Y-m-d H:i:s`, in UTC. */
export function vendorDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Validates a `fields` array of a request: `[{ id, value }]` with known ids. Returns the values to
 * write (an empty or null value clears the field), or the vendor's refusal.
 */
export function readFieldValues(
  value: unknown,
  known: readonly EmulatedField[],
): Map<number, string | null> | EmulatorResponse {
  const values = new Map<number, string | null>();
  if (value === undefined || value === null) return values;
  if (!Array.isArray(value)) return refusal('The fields must be an array.', { fields: ['array'] });
  for (const [index, item] of value.entries()) {
    const record = (item ?? {}) as { id?: unknown; value?: unknown };
    const id =
      typeof record.id === 'string' && /^\d+$/.test(record.id) ? Number(record.id) : record.id;
    if (typeof id !== 'number' || !known.some((field) => field.id === id)) {
      return refusal(`The selected fields.${index}.id is invalid.`, {
        [`fields.${index}.id`]: [`The selected fields.${index}.id is invalid.`],
      });
    }
    const text = record.value;
    if (
      text !== null &&
      text !== undefined &&
      typeof text !== 'string' &&
      typeof text !== 'number'
    ) {
      return refusal(`The fields.${index}.value must be a string.`);
    }
    values.set(id, text === null || text === undefined || text === '' ? null : String(text));
  }
  return values;
}

/**
 * Validates `groups`: list ids that exist, as the seed page documents them (`[56147]`), or as the
 * objects the vendor's generated SDK types them (`[{ id: 56147, name, … }]`): which one the server
 * takes is unconfirmed, so both are. `undefined` when the body has no `groups`.
 */
export function readGroups(
  value: unknown,
  lists: readonly EmulatedList[],
): number[] | undefined | EmulatorResponse {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return refusal('The groups must be an array.');
  const ids: number[] = [];
  for (const [index, item] of value.entries()) {
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : item;
    if (typeof id !== 'number' || !lists.some((list) => list.id === id)) {
      return refusal(`The selected groups.${index} is invalid.`);
    }
    ids.push(id);
  }
  return [...new Set(ids)];
}

/** A stored contact as the vendor returns it, `fields` in the configured shape. */
export function contactBody(
  contact: StoredContact,
  lists: readonly StoredList[],
  shape: FieldsShape,
): Record<string, unknown> {
  const entries = [...contact.fields.entries()];
  const fields =
    shape === 'map'
      ? Object.fromEntries(entries.map(([id, value]) => [String(id), value]))
      : shape === 'code-text'
        ? entries.map(([id, value]) => ({ code: id, text: value }))
        : entries.map(([id, value]) => ({ id, value }));
  return {
    id: contact.id,
    phone: contact.phone,
    fields,
    created_at: contact.created_at,
    groups: lists
      .filter((list) => contact.groups.includes(list.id))
      .map((list) => ({
        id: list.id,
        name: list.name,
        description: list.description ?? '',
        default: list.default ?? false,
        created_at: list.created_at,
      })),
    hlr_status: null,
    hlr_last_check: null,
  };
}

/** `page[limit]` (15–500, default `fallback`) and `page[offset]` (≥ 0), or the refusal. */
export function readPage(
  query: URLSearchParams,
  fallback: number,
): { limit: number; offset: number } | EmulatorResponse {
  const limitText = query.get('page[limit]');
  const offsetText = query.get('page[offset]');
  const limit = limitText === null ? fallback : Number(limitText);
  const offset = offsetText === null ? 0 : Number(offsetText);
  if (!Number.isInteger(limit) || limit < 15 || limit > 500) {
    return refusal('The page.limit must be between 15 and 500.', {
      'page.limit': ['The page.limit must be between 15 and 500.'],
    });
  }
  if (!Number.isInteger(offset) || offset < 0) {
    return refusal('The page.offset must be at least 0.', {
      'page.offset': ['The page.offset must be at least 0.'],
    });
  }
  return { limit, offset };
}

export function isResponse(value: unknown): value is EmulatorResponse {
  return (
    typeof value === 'object' && value !== null && 'status' in value && !(value instanceof Map)
  );
}
