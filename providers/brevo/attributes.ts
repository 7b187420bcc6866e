import { invalidInput, type ValidationIssue } from '../../src/errors.js';
import type { HttpClient } from '../../src/http.js';
import { untilAborted } from '../../src/until-aborted.js';
import { AttributeListSchema, parsed } from './api.js';
import { toBrevoError } from './errors.js';
import { attributesRequest } from './requests.js';

/** An attribute of the account, as `GET /contacts/attributes` lists it. */
export interface AccountAttribute {
  name: string;
  category: string;
  type: string;
  options?: string[];
}

/** A value as Brevo takes it for an attribute's type. */
export type AttributeValue = string | number | boolean | string[] | null;

export type AccountAttributes = ReadonlyMap<string, AccountAttribute>;

/**
 * The account's attributes, read once per store when a write first carries one (a failed read is
 * not kept), shared by concurrent callers. Brevo drops a value of the wrong type without a word and
 * may ignore an unknown attribute (the import docs say so; create is unconfirmed): both are checked
 * here first, so neither is ever lost silently.
 */
export function createAttributeCache(http: HttpClient) {
  let known: AccountAttributes | undefined;
  let loading: Promise<AccountAttributes> | undefined;

  async function load(): Promise<AccountAttributes> {
    const spec = attributesRequest();
    const list = await http.request(spec, (response) => {
      if (response.status !== 200) throw toBrevoError(http, response, spec);
      return parsed(AttributeListSchema, response.body, spec);
    });
    const map = new Map<string, AccountAttribute>();
    for (const attribute of list.attributes) {
      map.set(attribute.name.toUpperCase(), {
        name: attribute.name.toUpperCase(),
        category: attribute.category ?? 'normal',
        type: attribute.type ?? 'text',
        ...(attribute.multiCategoryOptions ? { options: attribute.multiCategoryOptions } : {}),
      });
    }
    return map;
  }

  return {
    /** The attributes if already read (for checks without I/O: `plan`, `preview`). */
    known: (): AccountAttributes | undefined => known,
    get(signal?: AbortSignal): Promise<AccountAttributes> {
      if (known) return Promise.resolve(known);
      loading ??= load()
        .then((read) => {
          known = read;
          return read;
        })
        .finally(() => {
          loading = undefined;
        });
      return signal ? untilAborted(loading, signal) : loading;
    },
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** The wire value of `text` for `attribute`, or what is wrong with it. */
export function toAttributeValue(
  text: string,
  attribute: AccountAttribute,
): { value: AttributeValue } | { problem: string } {
  // '' clears the attribute (sent as null; see the driver for the other spelling).
  if (text === '') return { value: null };
  const trimmed = text.trim();
  switch (attribute.type) {
    case 'float':
      return NUMBER.test(trimmed) ? { value: Number(trimmed) } : { problem: 'expected a number' };
    case 'boolean':
      if (/^(true|yes|1)$/i.test(trimmed)) return { value: true };
      if (/^(false|no|0)$/i.test(trimmed)) return { value: false };
      return { problem: 'expected true or false' };
    case 'date':
      return DATE.test(trimmed) && isCalendarDate(trimmed)
        ? { value: trimmed }
        : { problem: 'expected a date as YYYY-MM-DD' };
    case 'multiple-choice': {
      const items = listItems(text);
      if (!items) return { problem: 'expected a JSON list of options, e.g. ["A","B"]' };
      if (attribute.options && items.some((item) => !attribute.options?.includes(item))) {
        return {
          problem: `every element must be one of its options (${attribute.options.join(', ')})`,
        };
      }
      return { value: items };
    }
    case 'text':
      return { value: text };
    default:
      return { problem: `a ${attribute.type} attribute cannot be written through the contact` };
  }
}

/**
 * Every attribute of a write in the type its attribute takes; `sources` names the input path of
 * each. An attribute the account lacks, or a value that cannot take its type, is `invalid_input`
 * naming that path, thrown before the write is sent.
 */
export function typedAttributes(
  texts: Readonly<Record<string, string>>,
  account: AccountAttributes,
  sources: Readonly<Record<string, string>>,
  context: { provider: string; operation: string },
): Record<string, AttributeValue> {
  const typed: Record<string, AttributeValue> = {};
  const issues: ValidationIssue[] = [];
  for (const [name, text] of Object.entries(texts)) {
    const path = sources[name] ?? `customFields.${name}`;
    const attribute = account.get(name);
    if (!attribute || (attribute.category !== 'normal' && attribute.category !== 'category')) {
      issues.push({
        path,
        message: `Brevo has no contact attribute ${name}: create it, or map ${path} to one with fieldMap`,
      });
      continue;
    }
    const converted = toAttributeValue(text, attribute);
    if ('value' in converted) typed[name] = converted.value;
    else
      issues.push({
        path,
        message: `Brevo attribute ${name} (${attribute.type}): ${converted.problem}`,
      });
  }
  if (issues.length) throw invalidInput(issues, context);
  return typed;
}

/** An attribute value read back, as the text the common model holds. */
export function attributeText(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return JSON.stringify(value.map(String));
  return undefined;
}

/** The text a value reads back as, once Brevo holds it in its type (for `unchanged`). */
export function canonicalText(text: string, attribute: AccountAttribute | undefined): string {
  if (!attribute || text === '') return text;
  const converted = toAttributeValue(text, attribute);
  return 'value' in converted ? (attributeText(converted.value) ?? '') : text;
}

function listItems(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return [text];
  try {
    const items: unknown = JSON.parse(trimmed);
    return Array.isArray(items) && items.every((item) => typeof item === 'string')
      ? items
      : undefined;
  } catch {
    return undefined;
  }
}

function isCalendarDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
