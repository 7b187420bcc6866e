import {
  type Contact,
  type ContactInput,
  type ContactPatch,
  MAPPABLE_FIELDS,
  type Warning,
} from '../../src/contact.js';
import { phoneFromVendor } from '../../src/phone.js';
import { type NotificoreContact, parseFieldEntries } from './api.js';
import type { FieldRouting } from './fields.js';

/** A custom-field value as Notificore takes it: values are strings, whatever the field type. */
export interface NotificoreFieldValue {
  id: number;
  value: string;
}

const CUSTOM = 'customFields.';

/** E.164 → the JSON integer Notificore wants (`+33612345678` → `33612345678`). */
export function toNotificorePhone(phone: string): number {
  return Number(phone.replace(/\D/g, ''));
}

/** True for the 9–15 digits Notificore accepts. */
export function isNotificorePhone(phone: string): boolean {
  return /^\d{9,15}$/.test(phone.replace(/^\+/, ''));
}

/** Every (path, value) pair of an input that would go to a custom field. */
function valuesOf(input: ContactPatch): [string, string][] {
  const pairs: [string, string][] = [];
  for (const field of MAPPABLE_FIELDS) {
    const value = input[field];
    if (value !== undefined) pairs.push([field, value]);
  }
  for (const [key, value] of Object.entries(input.customFields ?? {})) {
    pairs.push([`${CUSTOM}${key}`, value]);
  }
  return pairs;
}

/**
 * Routes the values of an input to their targets. On create an empty value is left out; on update
 * it is kept (sent as `""` to clear the field). `unmapped` lists the paths of non-empty values
 * with no target.
 */
export function routeValues<T>(
  input: ContactPatch,
  targetOf: (path: string) => T | undefined,
  mode: 'create' | 'update',
): { routed: { target: T; value: string }[]; unmapped: string[] } {
  const routed: { target: T; value: string }[] = [];
  const unmapped: string[] = [];
  for (const [path, value] of valuesOf(input)) {
    if (value === '' && mode === 'create') continue;
    const target = targetOf(path);
    if (target !== undefined) routed.push({ target, value });
    else if (value !== '') unmapped.push(path);
  }
  return { routed, unmapped };
}

/** The `fields` of a create or update body, by custom-field id. */
export function toNotificoreFields(
  input: ContactPatch,
  idOf: FieldRouting['idOf'],
  mode: 'create' | 'update',
): { fields: NotificoreFieldValue[]; unmapped: string[] } {
  const { routed, unmapped } = routeValues(input, idOf, mode);
  return { fields: routed.map(({ target, value }) => ({ id: target, value })), unmapped };
}

/** A Notificore contact in the common model; values no path claims stay only in `raw`. */
export function fromNotificoreContact(
  contact: NotificoreContact,
  pathOf: FieldRouting['pathOf'],
  raw: unknown,
  fallbackPhone?: string,
): Contact {
  const result: Contact = {
    id: String(contact.id),
    provider: 'notificore',
    phone: phoneFromVendor(contact.phone) ?? fallbackPhone ?? '',
    warnings: [],
    raw,
  };
  const createdAt = toIsoDateTime(contact.created_at);
  if (createdAt) result.createdAt = createdAt;
  for (const entry of parseFieldEntries(contact.fields)) {
    const path = pathOf(entry.ref);
    if (!path) continue;
    if (path.startsWith(CUSTOM)) {
      result.customFields = { ...result.customFields, [path.slice(CUSTOM.length)]: entry.value };
    } else {
      (result as unknown as Record<string, string>)[path] = entry.value;
    }
  }
  return result;
}

/** The input as Notificore would hold it (`from(to(input))`): only phone and routed values. */
export function projectForNotificore(
  input: ContactInput,
  holds: (path: string) => boolean,
): ContactPatch {
  const projected: ContactPatch = { phone: input.phone };
  for (const [path, value] of valuesOf(input)) {
    if (value === '' || !holds(path)) continue;
    if (path.startsWith(CUSTOM)) {
      projected.customFields = { ...projected.customFields, [path.slice(CUSTOM.length)]: value };
    } else {
      (projected as Record<string, string>)[path] = value;
    }
  }
  return projected;
}

/** The warning of a value that no custom field holds. */
export function unmappedWarning(path: string): Warning {
  const key = path.startsWith(CUSTOM) ? path.slice(CUSTOM.length) : path;
  return {
    field: path,
    reason: 'unmapped',
    message: path.startsWith(CUSTOM)
      ? `no fieldMap.${key} entry and no custom field of that name in the Notificore account`
      : `Notificore has no ${key} field: route it with fieldMap.${key} (a custom field id or name)`,
  };
}

/** Tags and assigned users: Notificore contacts have neither. */
export function unsupportedWarnings(input: ContactPatch): Warning[] {
  const warnings: Warning[] = [];
  if (input.tags?.length) {
    warnings.push({ field: 'tags', reason: 'unsupported', message: 'Notificore has no tags' });
  }
  if (typeof input.assignedUser === 'string') {
    warnings.push({
      field: 'assignedUser',
      reason: 'unsupported',
      message: 'Notificore contacts have no assigned user',
    });
  }
  return warnings;
}

/**
 * `Y-m-d H:i:s` → ISO 8601. The timezone is not documented; it is read as UTC. Any other text
 * that `Date` understands is converted; the rest is left out.
 */
export function toIsoDateTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  const date = new Date(match ? `${match[1]}T${match[2]}Z` : value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
