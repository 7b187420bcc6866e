import type { EmulatorResponse } from '../emulator.js';

/**
 * The contact book half of the Notificore emulator: records, validation and the vendor's 422
 * refusals, as the API 2.0 docs describe them. Pure and in memory.
 */

export interface EmulatedField {
  id: number;
  name: string;
  type?: string;
}

export interface EmulatedList {
  id: number;
  name: string;
}

/** Which of the documented shapes contact responses give `fields` in. */
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

/** Validates `groups` (list ids that exist). */
export function readGroups(
  value: unknown,
  lists: readonly EmulatedList[],
): number[] | EmulatorResponse {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return refusal('The groups must be an array.');
  for (const [index, id] of value.entries()) {
    if (!lists.some((list) => list.id === id)) {
      return refusal(`The selected groups.${index} is invalid.`);
    }
  }
  return value as number[];
}

/** A stored contact as the vendor returns it, `fields` in the configured shape. */
export function contactBody(
  contact: StoredContact,
  lists: readonly EmulatedList[],
  shape: FieldsShape,
  listCreatedAt: string,
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
        description: '',
        default: false,
        created_at: listCreatedAt,
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
