import type { Contact, ContactPatch, Warning } from '../../src/contact.js';
import type { ValidationIssue } from '../../src/errors.js';
import type { SmsPartnerRecord } from './api.js';
import {
  LENGTH_LIMITED_FIELDS,
  SMS_PARTNER_FIELDS,
  SMS_PARTNER_NAME_LIMIT,
  type SmsPartnerField,
  type SmsPartnerFieldMapping,
} from './fields.js';
import { phoneFromSmsPartner } from './phone.js';

const PROVIDER = 'smspartner';

/** The `contact` object of `contact/add` and `contact/update` (write-side names). */
export type SmsPartnerContactFields = { phoneNumber?: string } & {
  [field in SmsPartnerField]?: string;
};

export interface ToSmsPartnerResult {
  contact: SmsPartnerContactFields;
  /** Values SMS Partner cannot hold as given. */
  warnings: Warning[];
  /** Values routed to `date` or `url` that SMS Partner would refuse. */
  issues: ValidationIssue[];
}

const COMMON_SOURCES = ['firstName', 'lastName', 'name', 'birthday', 'url'] as const;

/**
 * Common input or patch → SMS Partner's `contact` object. Only the fields present are written;
 * `""` stays `""` (it clears the field on update).
 */
export function toSmsPartnerContact(
  input: ContactPatch,
  mapping: SmsPartnerFieldMapping,
): ToSmsPartnerResult {
  const result: ToSmsPartnerResult = { contact: {}, warnings: [], issues: [] };
  if (input.phone !== undefined) result.contact.phoneNumber = input.phone;
  for (const field of COMMON_SOURCES) {
    const value = input[field];
    if (value === undefined) continue;
    const target = mapping.targetOf.get(field);
    if (target) write(result, target, value, field);
    else if (!(field === 'name' && value === composedName(input))) {
      result.warnings.push(warning(field, 'unsupported', 'SMS Partner has no display-name field'));
    }
  }
  for (const [key, value] of Object.entries(input.customFields ?? {})) {
    const path = `customFields.${key}`;
    const target = mapping.targetOf.get(path);
    if (target) write(result, target, value, path);
    else
      result.warnings.push(
        warning(path, 'unmapped', 'no fieldMap entry routes it to custom1–custom4'),
      );
  }
  if (input.tags?.length) {
    result.warnings.push(warning('tags', 'unsupported', 'SMS Partner contacts have no tags'));
  }
  if (typeof input.assignedUser === 'string') {
    result.warnings.push(
      warning('assignedUser', 'unsupported', 'SMS Partner contacts have no assigned user'),
    );
  }
  return result;
}

/** A contact as SMS Partner returns it (read or write names) → the common model. */
export function fromSmsPartnerContact(
  record: SmsPartnerRecord,
  mapping: SmsPartnerFieldMapping,
  raw: unknown = record,
): Contact {
  return {
    id: String(record.contactId ?? ''),
    provider: PROVIDER,
    ...commonFields(record, mapping),
    phone: phoneFromSmsPartner(record.phone ?? record.phoneNumber) ?? '',
    ...(record.createdAt ? { createdAt: String(record.createdAt) } : {}),
    warnings: [],
    raw,
  };
}

/** The input as SMS Partner would hold it (`from(to(input))`): what `upsert` compares. */
export function projectSmsPartnerContact(
  input: ContactPatch,
  mapping: SmsPartnerFieldMapping,
): ContactPatch {
  return projectSmsPartnerFields(toSmsPartnerContact(input, mapping).contact, mapping);
}

/** The projection of a `contact` object already mapped by `toSmsPartnerContact`. */
export function projectSmsPartnerFields(
  contact: SmsPartnerContactFields,
  mapping: SmsPartnerFieldMapping,
): ContactPatch {
  const projected = commonFields(contact, mapping);
  return contact.phoneNumber === undefined
    ? projected
    : { ...projected, phone: contact.phoneNumber };
}

function commonFields(record: SmsPartnerRecord, mapping: SmsPartnerFieldMapping): ContactPatch {
  const patch: Record<string, string> = {};
  const customFields: Record<string, string> = {};
  for (const field of SMS_PARTNER_FIELDS) {
    const value = record[field];
    const source = mapping.sourceOf.get(field);
    if (value === undefined || value === null || value === '' || !source) continue;
    const text = field === 'date' ? dateFromSmsPartner(String(value)) : String(value);
    if (text === '') continue;
    if (source.startsWith('customFields.')) customFields[source.slice(13)] = text;
    else patch[source] = text;
  }
  return Object.keys(customFields).length ? { ...patch, customFields } : patch;
}

function write(result: ToSmsPartnerResult, target: SmsPartnerField, value: string, path: string) {
  let text = value;
  const characters = Array.from(value);
  if (LENGTH_LIMITED_FIELDS.has(target) && characters.length > SMS_PARTNER_NAME_LIMIT) {
    text = characters.slice(0, SMS_PARTNER_NAME_LIMIT).join('');
    result.warnings.push(
      warning(
        path,
        'truncated',
        `SMS Partner keeps ${SMS_PARTNER_NAME_LIMIT} characters of ${target}`,
      ),
    );
  }
  if (target === 'date' && text !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    result.issues.push({ path, message: 'SMS Partner date expects YYYY-MM-DD' });
  }
  if (target === 'url' && text !== '' && !/^https?:\/\/\S+$/i.test(text)) {
    result.issues.push({ path, message: 'SMS Partner url expects an http:// or https:// URL' });
  }
  result.contact[target] = text;
}

/**
 * Reads `YYYY-MM-DD`, a date-time, or the `DD-MM-YYYY` of one doc example, as `YYYY-MM-DD`;
 * `''` for a zero date.
 */
export function dateFromSmsPartner(value: string): string {
  // A database "zero date" is how a PHP back end may spell an unset date.
  if (value.startsWith('0000-00-00')) return '';
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(value);
  if (iso) return iso[1] as string;
  const dayFirst = /^(\d{2})[-/](\d{2})[-/](\d{4})$/.exec(value);
  return dayFirst ? `${dayFirst[3]}-${dayFirst[2]}-${dayFirst[1]}` : value;
}

function composedName(input: ContactPatch): string | undefined {
  const parts = [input.firstName, input.lastName].filter((part) => part);
  return parts.length ? parts.join(' ') : undefined;
}

function warning(field: string, reason: Warning['reason'], message: string): Warning {
  return { field, reason, message };
}
