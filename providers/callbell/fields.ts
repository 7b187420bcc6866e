import * as v from 'valibot';
import { invalidInput, type ValidationIssue } from '../../src/errors.js';
import { untilAborted } from '../../src/until-aborted.js';

/**
 * Callbell's custom-field types. Since 2026-03-03 Callbell validates a value by its field's type:
 * text, email, number (as a string), date (`YYYY-MM-DD`) and dropdown take a string, checkbox a
 * list of its options. No endpoint lists the fields; the types come with contacts read with
 * `include_field_types=true`, in `customFieldsMetadata`.
 */
export interface CallbellFieldType {
  type: string;
  /** The allowed values of a dropdown or checkbox field, when Callbell says. */
  options?: string[];
}

export type FieldTypes = ReadonlyMap<string, CallbellFieldType>;

/** A value as Callbell takes it: a string, or a list for a checkbox field. */
export type CallbellFieldValue = string | string[];

const MetadataSchema = v.record(
  v.string(),
  v.object({ type: v.string(), options: v.nullish(v.array(v.string())) }),
);

/** The field types a contact's `customFieldsMetadata` reveals (nothing when it has none). */
export function typesOf(metadata: unknown): Map<string, CallbellFieldType> {
  const parsed = v.safeParse(MetadataSchema, metadata);
  const types = new Map<string, CallbellFieldType>();
  if (!parsed.success) return types;
  for (const [name, field] of Object.entries(parsed.output)) {
    types.set(name, { type: field.type, ...(field.options ? { options: field.options } : {}) });
  }
  return types;
}

/**
 * The account's field types, read once per store (a failed read is not kept) and shared by
 * concurrent callers; each caller stops waiting when its own signal fires.
 */
export function createFieldTypeCache(load: () => Promise<FieldTypes>) {
  let types: FieldTypes | undefined;
  let loading: Promise<FieldTypes> | undefined;
  // Callers that share a signal (a whole pushMany run) share one abort listener on it, not one each.
  const waits = new WeakMap<
    AbortSignal,
    { loading: Promise<FieldTypes>; wait: Promise<FieldTypes> }
  >();
  return {
    /** The types if already read, for the checks that run without I/O. */
    known: (): FieldTypes | undefined => types,
    get(signal?: AbortSignal): Promise<FieldTypes> {
      if (types) return Promise.resolve(types);
      loading ??= load()
        .then((read) => {
          types = read;
          return read;
        })
        .finally(() => {
          loading = undefined;
        });
      if (!signal) return loading;
      const shared = waits.get(signal);
      if (shared?.loading === loading) return shared.wait;
      const wait = untilAborted(loading, signal);
      waits.set(signal, { loading, wait });
      return wait;
    },
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A checkbox value in the common model (a string): a JSON list (`["A","B"]`, what reading a
 * contact gives back), `""` for none, or a single option.
 */
export function checkboxItems(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (!trimmed.startsWith('[')) return [text];
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** The wire value of `text` for a field of `field`'s type, or why it cannot be one. */
export function toFieldValue(
  text: string,
  field: CallbellFieldType | undefined,
): { value: CallbellFieldValue } | { problem: string } {
  if (!field) return { value: text };
  const options = field.options;
  const trimmed = text.trim();
  switch (field.type) {
    case 'checkbox': {
      const items = checkboxItems(text);
      if (!items) return { problem: 'expected a JSON list of options, e.g. ["A","B"]' };
      // The value is not quoted back: a custom field may hold personal data.
      if (options && items.some((item) => !options.includes(item))) {
        return { problem: `every element must be one of its options (${options.join(', ')})` };
      }
      return { value: items };
    }
    case 'number':
      return trimmed === '' || NUMBER.test(trimmed)
        ? { value: trimmed }
        : { problem: 'expected a number' };
    case 'date':
      return trimmed === '' || isCalendarDate(trimmed)
        ? { value: trimmed }
        : { problem: 'expected a date as YYYY-MM-DD' };
    case 'email':
      return trimmed === '' || EMAIL.test(trimmed)
        ? { value: trimmed }
        : { problem: 'expected an email address' };
    case 'dropdown':
      return text === '' || !options || options.includes(text)
        ? { value: text }
        : { problem: `expected one of its options (${options.join(', ')})` };
    default:
      return { value: text };
  }
}

/**
 * Converts every custom-field value of a write to its field's type; `sources` names the input
 * path each Callbell field came from. A value that cannot be converted is `invalid_input` naming
 * that path, thrown before any write. A field whose type is not known is sent as the text given.
 */
export function toTypedFields(
  customFields: Readonly<Record<string, string>>,
  types: FieldTypes,
  sources: Readonly<Record<string, string>>,
  context: { provider: string; operation: string },
): Record<string, CallbellFieldValue> {
  const typed: Record<string, CallbellFieldValue> = {};
  const issues: ValidationIssue[] = [];
  for (const [name, text] of Object.entries(customFields)) {
    const converted = toFieldValue(text, types.get(name));
    if ('value' in converted) typed[name] = converted.value;
    else {
      const type = types.get(name)?.type;
      issues.push({
        path: sources[name] ?? `customFields.${name}`,
        message: `Callbell field "${name}" (${type}): ${converted.problem}`,
      });
    }
  }
  if (issues.length) throw invalidInput(issues, context);
  return typed;
}

/** A checkbox value in one spelling, so that a value read back compares equal to the one sent. */
export function canonicalText(text: string): string {
  if (!text.trim().startsWith('[')) return text;
  const items = checkboxItems(text);
  return items ? JSON.stringify(items) : text;
}

function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
