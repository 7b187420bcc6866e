import { normalizePhone } from '../../src/phone.js';
import type { EmulatorResponse } from '../emulator.js';

/** An attribute of the emulated account (`GET /contacts/attributes`). */
export interface BrevoEmulatorAttribute {
  /** Upper-case, as Brevo shows it: `FIRSTNAME`, `COMPANY`. */
  name: string;
  /** Default `'normal'`. */
  category?: 'normal' | 'category' | 'transactional' | 'calculated' | 'global';
  /** Default `'text'`. */
  type?: 'text' | 'date' | 'float' | 'boolean' | 'multiple-choice' | 'id' | 'category';
  /** The options of a `multiple-choice` attribute. */
  multiCategoryOptions?: string[];
}

/** A contact as the emulator stores it (the wire object of `GET /contacts`). */
export interface BrevoRecord {
  id: number;
  email?: string;
  emailBlacklisted: boolean;
  smsBlacklisted: boolean;
  whatsappBlacklisted: boolean;
  listIds: number[];
  listUnsubscribed: number[];
  createdAt: string;
  modifiedAt: string;
  attributes: Record<string, string | number | boolean | string[]>;
}

/** The identifier attributes Brevo keeps unique per account, and how `duplicate_identifiers` names them. */
export const IDENTIFIER_ATTRIBUTES = ['SMS', 'WHATSAPP', 'LANDLINE_NUMBER'] as const;
export type IdentifierAttribute = (typeof IDENTIFIER_ATTRIBUTES)[number];

/** Brevo's error body: `{ code, message[, metadata] }`. */
export function failure(
  status: number,
  code: string,
  message: string,
  metadata?: Record<string, unknown>,
): EmulatorResponse {
  return { status, body: { code, message, ...(metadata ? { metadata } : {}) } };
}

export const CONTACT_NOT_FOUND = failure(404, 'document_not_found', 'Contact does not exist');

/**
 * A phone as Brevo reads one on write: `91xxxxxxxxxx`, `+91xxxxxxxxxx`, `0091xxxxxxxxxx`, spaces,
 * `(0)`, brackets and dashes tolerated; a country code required. The E.164 form, or `undefined`.
 */
export function brevoPhone(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  let text = String(value).trim().replace(/\(0\)/g, '');
  if (/[^\d\s()+.-]/.test(text)) return undefined;
  text = text.replace(/[\s().-]/g, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  if (!text.startsWith('+')) text = `+${text}`;
  if (!/^\+[1-9]\d{6,14}$/.test(text)) return undefined;
  try {
    return normalizePhone(text);
  } catch {
    return undefined;
  }
}

/** A value of the attribute's type, or `undefined` where Brevo drops it without a word. */
export function typedValue(
  attribute: BrevoEmulatorAttribute,
  value: unknown,
): string | number | boolean | string[] | undefined {
  switch (attribute.type ?? 'text') {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? value : undefined;
    case 'multiple-choice':
      return Array.isArray(value) &&
        value.every(
          (item) =>
            typeof item === 'string' && (attribute.multiCategoryOptions ?? []).includes(item),
        )
        ? (value as string[])
        : undefined;
    default:
      return typeof value === 'string' ? value : undefined;
  }
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** `listIds` in any form seen: repeated (`listIds=1&listIds=2`), comma-separated, or `listIds[]`. */
export function queryIds(query: URLSearchParams, name: string): number[] | undefined {
  const values = [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((value) =>
    value.split(','),
  );
  if (values.length === 0) return undefined;
  const ids = values.map((value) => Number(value.trim()));
  return ids.every((id) => Number.isSafeInteger(id) && id > 0) ? ids : [Number.NaN];
}

/** A whole number of the query within bounds, the default when absent, `undefined` when wrong. */
export function queryInteger(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

/** A list of positive integer ids in a body, or `undefined` when it is something else. */
export function bodyIds(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.every((id) => Number.isSafeInteger(id) && id > 0) ? (value as number[]) : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
