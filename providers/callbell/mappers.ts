import type { Contact, ContactInput, ContactPatch, Warning } from '../../src/contact.js';
import { phoneOf } from '../../src/identity.js';
import { phoneFromVendor } from '../../src/phone.js';
import type { CallbellContact, ReceivedContact } from './api.js';
import {
  type CallbellFieldValue,
  canonicalText,
  checkboxItems,
  type FieldTypes,
} from './fields.js';
import { CUSTOM_FIELD_ONLY, type CustomFieldOnly } from './options.js';

/** The writable fields shared by Callbell's create and update bodies. */
export interface CallbellFields {
  name?: string;
  tags?: string[];
  /** Values as given (text) after mapping; typed (`string[]` for checkbox) just before a write. */
  custom_fields?: Record<string, CallbellFieldValue>;
  assigned_user?: string;
  unassign_user?: true;
}

export interface CallbellCreateBody extends Omit<CallbellFields, 'unassign_user'> {
  identifier: string;
  source: 'whatsapp';
  name: string;
  channel_uuid?: string;
}

export interface Mapped<T> {
  value: T;
  warnings: Warning[];
  /** Callbell custom-field name → the input path its value came from (for error paths). */
  sources?: Record<string, string>;
}

/** Common field or custom-field key → Callbell custom-field name (identity when absent). */
export type CallbellFieldMap = Readonly<Record<string, string>>;

/**
 * The Callbell fields of a contact or a patch. `name` is native: the given one, else first and last
 * name joined. firstName, lastName, birthday and url live in custom fields only when `fieldMap`
 * names one (else a warning: first/last name only feed `name`); custom fields go by name.
 */
export function toCallbellFields(
  input: ContactPatch,
  fieldMap: CallbellFieldMap,
): Mapped<CallbellFields> {
  const warnings: Warning[] = [];
  const customFields: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const put = (target: string, value: string, field: string) => {
    if (target in customFields && customFields[target] !== value) {
      const message = `Callbell custom field "${target}" already receives ${sources[target]}`;
      warnings.push({ field, reason: 'ignored', message });
      return;
    }
    customFields[target] = value;
    sources[target] ??= field;
  };
  for (const field of CUSTOM_FIELD_ONLY) {
    const value = input[field];
    if (value === undefined) continue;
    const target = fieldMap[field];
    if (target !== undefined) put(target, value, field);
    else if (value !== '') warnings.push(unmappedWarning(field));
  }
  for (const [key, value] of Object.entries(input.customFields ?? {})) {
    put(fieldMap[key] ?? key, value, `customFields.${key}`);
  }
  const fields: CallbellFields = {};
  const name = input.name || composeName(input.firstName, input.lastName);
  if (name !== undefined) fields.name = name;
  if (input.tags !== undefined) fields.tags = [...input.tags];
  if (Object.keys(customFields).length > 0) fields.custom_fields = customFields;
  if (typeof input.assignedUser === 'string') fields.assigned_user = input.assignedUser;
  if (input.assignedUser === null) fields.unassign_user = true;
  return { value: fields, warnings, sources };
}

/**
 * The body of `POST /contacts`: a WhatsApp contact whose identifier is the E.164 number's digits,
 * named by the phone when the input has no name at all (Callbell requires one).
 */
export function toCallbellCreate(
  input: ContactInput,
  fieldMap: CallbellFieldMap,
  channelUuid?: string,
): Mapped<CallbellCreateBody> {
  const { value, warnings, sources } = toCallbellFields(input, fieldMap);
  const phone = phoneOf(input, 'callbell', 'create');
  return { value: callbellCreateBody(value, phone, channelUuid), warnings, sources };
}

/** The create body around fields already mapped by `toCallbellFields`. */
export function callbellCreateBody(
  fields: CallbellFields,
  phone: string,
  channelUuid?: string,
): CallbellCreateBody {
  const { unassign_user: _nothingToUnassign, name, ...rest } = fields;
  const body: CallbellCreateBody = {
    identifier: phoneDigits(phone),
    source: 'whatsapp',
    name: name ?? phone,
    ...rest,
  };
  if (channelUuid !== undefined) body.channel_uuid = channelUuid;
  return body;
}

/** A Callbell contact in the common model, or `undefined` when it has no phone number. */
export function fromCallbellContact(
  received: ReceivedContact,
  fieldMap: CallbellFieldMap,
): Contact | undefined {
  const { contact, raw } = received;
  const phone = phoneFromVendor(contact.phoneNumber);
  if (phone === undefined) return undefined;
  const common = commonFields(
    {
      name: contact.name ?? undefined,
      tags: tagsOf(contact.tags),
      customFields: customFieldTexts(contact.customFields),
      assignedUser: contact.assignedUser || undefined,
    },
    fieldMap,
  );
  return {
    id: contact.uuid,
    provider: 'callbell',
    phone,
    ...common,
    ...(contact.createdAt ? { createdAt: contact.createdAt } : {}),
    warnings: [],
    raw,
  };
}

/**
 * The input as Callbell would hold it (`from(to(input))`), for `unchanged` detection: a checkbox
 * value in the one spelling reading gives back (`["A","B"]`), when its type is known.
 */
export function projectCallbellContact(
  input: ContactInput,
  fieldMap: CallbellFieldMap,
  types?: FieldTypes,
): ContactPatch {
  return projectCallbellFields(
    toCallbellFields(input, fieldMap).value,
    input.phone,
    fieldMap,
    types,
  );
}

/** The projection of fields already mapped by `toCallbellFields`. */
export function projectCallbellFields(
  value: CallbellFields,
  phone: string | undefined,
  fieldMap: CallbellFieldMap,
  types?: FieldTypes,
): ContactPatch {
  const customFields: Record<string, string> = {};
  for (const [name, given] of Object.entries(value.custom_fields ?? {})) {
    const text = String(given);
    const items = types?.get(name)?.type === 'checkbox' ? checkboxItems(text) : undefined;
    customFields[name] = items ? JSON.stringify(items) : canonicalText(text);
  }
  const common = commonFields(
    {
      name: value.name,
      tags: value.tags,
      customFields,
      assignedUser: value.unassign_user ? null : value.assigned_user,
    },
    fieldMap,
  );
  return { phone, ...common };
}

/** The E.164 number without `+`: how the adapter writes a WhatsApp identifier and a lookup path. */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

interface HeldFields {
  name?: string;
  tags?: string[];
  customFields?: Record<string, string>;
  assignedUser?: string | null;
}

/** Callbell's fields back in the common model: custom-field names through the reversed fieldMap. */
function commonFields(held: HeldFields, fieldMap: CallbellFieldMap): ContactPatch {
  const reversed = new Map(Object.entries(fieldMap).map(([key, target]) => [target, key]));
  const result: ContactPatch = {};
  const customFields: Record<string, string> = {};
  for (const [fieldName, value] of Object.entries(held.customFields ?? {})) {
    const key = reversed.get(fieldName);
    if (key !== undefined && isCustomFieldOnly(key)) result[key] = value;
    // A mapped field wins over an unmapped one of the same name as its key.
    else if (key !== undefined || !(fieldName in customFields))
      customFields[key ?? fieldName] = value;
  }
  if (held.name) result.name = held.name;
  if (held.tags?.length) result.tags = held.tags;
  if (Object.keys(customFields).length > 0) result.customFields = customFields;
  if (held.assignedUser !== undefined) result.assignedUser = held.assignedUser;
  return result;
}

/** First and last name joined, as Callbell's display name. */
export function composeName(firstName?: string, lastName?: string): string | undefined {
  const name = [firstName, lastName].filter((part) => part?.trim()).join(' ');
  return name || undefined;
}

function unmappedWarning(field: CustomFieldOnly): Warning {
  const why =
    field === 'firstName' || field === 'lastName'
      ? 'Callbell has no such field; it only feeds the composed name'
      : 'Callbell has no such field';
  return {
    field,
    reason: 'unmapped',
    message: `${why}: map it to a custom field with fieldMap.${field} to keep it`,
  };
}

function isCustomFieldOnly(key: string): key is CustomFieldOnly {
  return (CUSTOM_FIELD_ONLY as readonly string[]).includes(key);
}

/** Documented as a string, shown as an array: accept both. */
function tagsOf(tags: CallbellContact['tags']): string[] | undefined {
  if (typeof tags === 'string')
    return tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
  return tags ?? undefined;
}

/** Values as text; a checkbox value (a JSON-encoded string) in one spelling, `["A","B"]`. */
function customFieldTexts(fields: CallbellContact['customFields']): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value === null || value === undefined || value === '') continue;
    texts[name] = typeof value === 'string' ? canonicalText(value) : JSON.stringify(value);
  }
  return texts;
}
