import {
  type Contact,
  type ContactPatch,
  MAPPABLE_FIELDS,
  type Warning,
} from '../../src/contact.js';
import { phoneFromVendor } from '../../src/phone.js';
import type { BrevoContact } from './api.js';
import { type AccountAttributes, attributeText, canonicalText } from './attributes.js';
import { IDENTIFIER_ATTRIBUTES } from './options.js';

/** Common field or custom-field key → Brevo attribute (upper-case). */
export type BrevoFieldMap = Readonly<Record<string, string>>;

/** A write's attributes as text, before their types are applied. */
export interface MappedAttributes {
  /** Attribute name → the text given (`''` clears). */
  texts: Record<string, string>;
  /** Attribute name → the input path it came from. */
  sources: Record<string, string>;
  warnings: Warning[];
}

/** The attribute a custom-field key goes to: its `fieldMap` entry, else the key upper-cased. */
export function attributeOf(key: string, fieldMap: BrevoFieldMap): string {
  return fieldMap[key] ?? key.toUpperCase();
}

/**
 * A patch → Brevo attributes (names and custom fields; the phone is the driver's). A common field
 * without a `fieldMap` entry, tags and an assigned user have no place in Brevo: a warning each,
 * never a silent drop. Two inputs on one attribute: the second is a warning.
 */
export function toBrevoAttributes(input: ContactPatch, fieldMap: BrevoFieldMap): MappedAttributes {
  const texts: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const warnings: Warning[] = [];
  const put = (attribute: string, value: string, path: string) => {
    if (attribute in texts && texts[attribute] !== value) {
      warnings.push({
        field: path,
        reason: 'ignored',
        message: `Brevo attribute ${attribute} already receives ${sources[attribute]}`,
      });
      return;
    }
    texts[attribute] = value;
    sources[attribute] ??= path;
  };
  for (const field of MAPPABLE_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    const attribute = fieldMap[field];
    if (attribute) put(attribute, value, field);
    else if (value !== '') {
      warnings.push({
        field,
        reason: 'unmapped',
        message: `Brevo has no ${field} attribute by default: map it with fieldMap.${field} to keep it`,
      });
    }
  }
  for (const [key, value] of Object.entries(input.customFields ?? {})) {
    put(attributeOf(key, fieldMap), value, `customFields.${key}`);
  }
  if (input.tags?.length) {
    warnings.push({ field: 'tags', reason: 'unsupported', message: 'Brevo contacts have no tags' });
  }
  if (input.assignedUser) {
    warnings.push({
      field: 'assignedUser',
      reason: 'unsupported',
      message: 'Brevo contacts have no assigned user',
    });
  }
  return { texts, sources, warnings };
}

/** The attribute → common path map a store reads with (the reverse of `fieldMap`). */
export function readerOf(fieldMap: BrevoFieldMap): ReadonlyMap<string, string> {
  return new Map(Object.entries(fieldMap).map(([key, attribute]) => [attribute, key]));
}

const MAPPABLE = new Set<string>(MAPPABLE_FIELDS);
const IDENTIFIERS = new Set(IDENTIFIER_ATTRIBUTES);

/**
 * Attributes back in the common model: a mapped attribute under its key, any other (identifiers
 * aside) under `customFields` by its name in lower case.
 */
export function commonFromAttributes(
  attributes: Readonly<Record<string, unknown>>,
  reader: ReadonlyMap<string, string>,
): ContactPatch {
  const result: ContactPatch = {};
  const customFields: Record<string, string> = {};
  for (const [given, value] of Object.entries(attributes)) {
    const name = given.toUpperCase();
    if (IDENTIFIERS.has(name)) continue;
    const text = attributeText(value);
    if (text === undefined) continue;
    const key = reader.get(name);
    if (key !== undefined && MAPPABLE.has(key)) (result as Record<string, string>)[key] = text;
    else customFields[key ?? name.toLowerCase()] = text;
  }
  if (Object.keys(customFields).length > 0) result.customFields = customFields;
  return result;
}

/** A Brevo contact in the common model, or `undefined` when it has no SMS number (not ours). */
export function fromBrevoContact(
  contact: BrevoContact,
  raw: unknown,
  reader: ReadonlyMap<string, string>,
): Contact | undefined {
  const phone = phoneFromVendor(smsOf(contact));
  if (!phone) return undefined;
  return {
    id: String(contact.id),
    provider: 'brevo',
    phone,
    ...commonFromAttributes(contact.attributes ?? {}, reader),
    ...(contact.createdAt ? { createdAt: contact.createdAt } : {}),
    warnings: [],
    raw,
  };
}

/** The SMS attribute, whichever spelling of its name the answer uses. */
export function smsOf(contact: Pick<BrevoContact, 'attributes'>): string | number | undefined {
  const attributes = contact.attributes ?? {};
  const value = attributes.SMS ?? attributes.sms;
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/**
 * The input as Brevo would hold it (`from(to(input))`), for `unchanged`: each value in the
 * spelling reading it back gives (a float `10.50` reads `10.5`) when the account's types are known.
 */
export function projectBrevo(
  mapped: MappedAttributes,
  phone: string | undefined,
  reader: ReadonlyMap<string, string>,
  account: AccountAttributes | undefined,
): ContactPatch {
  const attributes: Record<string, string> = {};
  for (const [name, text] of Object.entries(mapped.texts)) {
    attributes[name] = canonicalText(text, account?.get(name));
  }
  const projected: ContactPatch = { ...(phone ? { phone } : {}) };
  const common = commonFromAttributes(attributes, reader);
  Object.assign(projected, common);
  // A value cleared with '' reads back as absent: compared as ''.
  for (const [name, text] of Object.entries(mapped.texts)) {
    if (text !== '') continue;
    const key = reader.get(name);
    if (key !== undefined && MAPPABLE.has(key)) (projected as Record<string, string>)[key] = '';
    else projected.customFields = { ...projected.customFields, [key ?? name.toLowerCase()]: '' };
  }
  return projected;
}
