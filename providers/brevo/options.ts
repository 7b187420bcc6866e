import * as v from 'valibot';
import { MAPPABLE_FIELDS } from '../../src/contact.js';
import { invalidConfig } from '../../src/errors.js';
import {
  type CommonOptions,
  commonOptionEntries,
  parseOptions,
  secretSchema,
} from '../../src/options.js';

/** Options of `createBrevoContactStore`. */
export interface BrevoOptions extends CommonOptions {
  /** The API key (`xkeysib-…`, Brevo's SMTP & API settings), sent in the `api-key` header. Required. */
  apiKey: string;
  /**
   * Lists (positive integer ids, at most 100) every written contact belongs to: sent as `listIds`
   * on create, and on update when the contact is not in all of them yet. Other memberships are
   * kept. Required for `upsertMany` (Brevo's import needs a list). Default: none.
   */
  listIds?: number[];
  /** Contacts per page of `list` and `optOuts`, 1–1000 (Brevo's bound). Default 500. */
  pageSize?: number;
  /**
   * Also write the phone as the contact's `WHATSAPP` number (one contact, both channels). Brevo
   * keeps WHATSAPP unique too: a number another contact holds as WhatsApp is a `conflict`.
   * Default false: WHATSAPP is neither written nor read.
   */
  whatsapp?: boolean;
  /**
   * The first wait between two reads of an import's status (`GET /processes/{id}`), doubled up to
   * 30 s. Brevo allows 100 such reads per hour on its general plan. Default 2000 ms.
   */
  importPollMs?: number;
  /** How long `upsertMany` waits for an import before failing its rows (retryable). Default 600000 ms. */
  importTimeoutMs?: number;
}

/** The options after validation: attribute names upper-case, the name defaults filled. */
export interface ParsedBrevoOptions extends Omit<BrevoOptions, 'fieldMap'> {
  /** Common field or custom-field key → Brevo attribute name. */
  fieldMap: Readonly<Record<string, string>>;
  pageSize: number;
  importPollMs: number;
  importTimeoutMs: number;
}

/** Contacts per page when `pageSize` is not given. */
export const DEFAULT_PAGE_SIZE = 500;

/** Brevo's own names of first and last name; a French account has `PRENOM` and `NOM` instead. */
export const DEFAULT_NAME_ATTRIBUTES = { firstName: 'FIRSTNAME', lastName: 'LASTNAME' } as const;

/** Attributes that identify a contact: never a `fieldMap` target. */
export const IDENTIFIER_ATTRIBUTES = ['SMS', 'WHATSAPP', 'LANDLINE_NUMBER', 'EMAIL', 'EXT_ID'];

const positiveId = v.pipe(
  v.number('expected a number'),
  v.integer('expected a whole number'),
  v.minValue(1, 'expected a positive id'),
  v.maxValue(Number.MAX_SAFE_INTEGER, 'too large'),
);

const BrevoOptionsSchema = v.strictObject({
  ...commonOptionEntries,
  apiKey: secretSchema,
  listIds: v.optional(v.pipe(v.array(positiveId), v.maxLength(100, 'at most 100 lists'))),
  pageSize: v.optional(
    v.pipe(
      v.number('expected a number'),
      v.integer('expected a whole number'),
      v.minValue(1, 'expected at least 1'),
      v.maxValue(1000, 'expected at most 1000'),
    ),
  ),
  whatsapp: v.optional(v.boolean('expected true or false')),
  importPollMs: v.optional(
    v.pipe(v.number(), v.integer('expected a whole number'), v.minValue(0), v.maxValue(60_000)),
  ),
  importTimeoutMs: v.optional(
    v.pipe(v.number(), v.integer('expected a whole number'), v.minValue(1), v.maxValue(86_400_000)),
  ),
});

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * Validates the options. Every `fieldMap` target must be an attribute name (letters, digits,
 * `_`; sent upper-case), no identifier attribute, and no two keys on one attribute.
 */
export function parseBrevoOptions(options: unknown): ParsedBrevoOptions {
  const parsed = parseOptions(BrevoOptionsSchema, options, 'brevo') as BrevoOptions;
  const fieldMap: Record<string, string> = { ...DEFAULT_NAME_ATTRIBUTES };
  const owners = new Map<string, string>();
  const issues: { path: string; message: string }[] = [];
  for (const [key, target] of Object.entries(parsed.fieldMap ?? {})) {
    const path = `fieldMap.${key}`;
    if (typeof target !== 'string' || !ATTRIBUTE_NAME.test(target)) {
      issues.push({ path, message: 'expected a Brevo attribute name (letters, digits, _)' });
      continue;
    }
    const name = target.toUpperCase();
    if (IDENTIFIER_ATTRIBUTES.includes(name)) {
      issues.push({ path, message: `${name} identifies a contact; it is not a field` });
      continue;
    }
    if (key === 'tags' || key === 'assignedUser' || key === 'phone') {
      issues.push({ path, message: `${key} cannot be routed to an attribute` });
      continue;
    }
    fieldMap[key] = name;
  }
  for (const [key, name] of Object.entries(fieldMap)) {
    const owner = owners.get(name);
    if (owner !== undefined) {
      issues.push({ path: `fieldMap.${key}`, message: `the same attribute as fieldMap.${owner}` });
    }
    owners.set(name, key);
  }
  if (issues.length) throw invalidConfig(issues, 'brevo');
  return {
    ...parsed,
    fieldMap,
    pageSize: parsed.pageSize ?? DEFAULT_PAGE_SIZE,
    importPollMs: parsed.importPollMs ?? 2000,
    importTimeoutMs: parsed.importTimeoutMs ?? 600_000,
  };
}

/** The common fields `fieldMap` may route (firstName and lastName have defaults). */
export const ROUTABLE_FIELDS = MAPPABLE_FIELDS;
