import type { EmulatorResponse } from '../emulator.js';
import { refusal } from './book.js';

/**
 * The search endpoints (`/api/contacts/search`, `/api/groups/search`) as the vendor documents them:
 * one criterion in `search[field|operator|value]` (the operator key also spelled
 * `search[operation]`), several in `search_fields[n][field|operator|value]` (all must match),
 * `sort` and `way`. A field, an operator the field does not take, or a sort key outside the
 * documented lists is refused with a 422, never answered with an empty 200.
 */

export type Operator = 'like' | '=' | '>' | '>=' | '<' | '<=';

export interface Criterion {
  field: string;
  operator: Operator;
  value: string;
}

export const OPERATORS: readonly Operator[] = ['like', '=', '>', '>=', '<', '<='];
export const ORDERED: readonly Operator[] = ['=', '>', '>=', '<', '<='];
export const TEXTUAL: readonly Operator[] = ['like', '='];

/**
 * The criteria of a query. `allowed(field)` gives the operators a field takes, or `undefined`
 * for a field the endpoint does not search.
 */
export function readCriteria(
  query: URLSearchParams,
  allowed: (field: string) => readonly Operator[] | undefined,
): Criterion[] | EmulatorResponse {
  const raw: { field?: string; operator?: string; value?: string; label: string }[] = [];
  if (query.has('search[field]') || query.has('search[value]')) {
    raw.push({
      field: query.get('search[field]') ?? undefined,
      operator: query.get('search[operator]') ?? query.get('search[operation]') ?? '=',
      value: query.get('search[value]') ?? undefined,
      label: 'search',
    });
  }
  const indexed = new Map<string, Record<string, string>>();
  for (const [key, value] of query) {
    const match = /^search_fields\[(\d+)\]\[(field|operator|operation|value)\]$/.exec(key);
    if (!match) continue;
    const entry = indexed.get(match[1] as string) ?? {};
    entry[match[2] === 'operation' ? 'operator' : (match[2] as string)] = value;
    indexed.set(match[1] as string, entry);
  }
  for (const [index, entry] of indexed) {
    raw.push({ ...entry, operator: entry.operator ?? '=', label: `search_fields.${index}` });
  }
  const criteria: Criterion[] = [];
  for (const item of raw) {
    if (!item.field) return refusal(`The ${item.label}.field field is required.`);
    if (item.value === undefined) return refusal(`The ${item.label}.value field is required.`);
    const operators = allowed(item.field);
    if (!operators) return refusal(`The selected ${item.label}.field is invalid.`);
    if (!operators.includes(item.operator as Operator)) {
      return refusal(`The selected ${item.label}.operator is invalid.`);
    }
    criteria.push({ field: item.field, operator: item.operator as Operator, value: item.value });
  }
  return criteria;
}

const VENDOR_DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date value of a search as the vendor stores dates (`Y-m-d H:i:s`, UTC): the docs call the
 * search value "ISO 8601", so `2026-01-06T09:00:00` (and with `Z` or an offset) is read as
 * `2026-01-06 09:00:00`, not compared as text (where `T` sorts after the stored space).
 */
export function vendorDateValue(value: string): string {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return value;
  const [, date, time, seconds = ':00', , zone] = match;
  const local = `${date} ${time}${seconds}`;
  if (!zone || zone === 'Z') return local;
  const at = new Date(`${date}T${time}${seconds}${zone}`);
  return Number.isNaN(at.getTime()) ? local : at.toISOString().slice(0, 19).replace('T', ' ');
}

/** Whether a held value meets a criterion; numbers compare as numbers, the rest as text. */
export function meets(held: string | number | undefined, criterion: Criterion): boolean {
  if (held === undefined) return false;
  const { operator } = criterion;
  const value =
    typeof held === 'string' && VENDOR_DATE_TIME.test(held)
      ? vendorDateValue(criterion.value)
      : criterion.value;
  if (operator === 'like') {
    const needle = value.replaceAll('%', '').toLowerCase();
    return String(held).toLowerCase().includes(needle);
  }
  const numeric = typeof held === 'number' || (/^-?\d+(\.\d+)?$/.test(held) && value !== '');
  const left = numeric ? Number(held) : String(held);
  const right = numeric ? Number(value) : value;
  if (numeric && Number.isNaN(right)) return false;
  switch (operator) {
    case '=':
      return left === right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    default:
      return left <= right;
  }
}

/** `sort` (one of `keys`, default `id`) and `way` (`asc`/`desc`, default `asc`), or the refusal. */
export function readOrder(
  query: URLSearchParams,
  keys: readonly string[],
): { sort: string; descending: boolean } | EmulatorResponse {
  const sort = query.get('sort') ?? 'id';
  const way = query.get('way') ?? 'asc';
  if (!keys.includes(sort)) return refusal('The selected sort is invalid.');
  if (way !== 'asc' && way !== 'desc') return refusal('The selected way is invalid.');
  return { sort, descending: way === 'desc' };
}

/** Sorts a copy by `key`, numbers as numbers. */
export function ordered<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  descending: boolean,
): T[] {
  const sorted = [...items].sort((a, b) => {
    const left = key(a);
    const right = key(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
  return descending ? sorted.reverse() : sorted;
}
