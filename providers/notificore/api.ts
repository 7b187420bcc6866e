import * as v from 'valibot';

/**
 * Notificore API 2.0 ("One-API") wire format: only what the adapter reads, tolerant of drift
 * (`v.object` strips unknown keys, `v.nullish` where a key may be missing or null).
 */

/** Ids are JSON integers in the docs; accept digit strings too (PHP back ends drift). */
const IdSchema = v.union([
  v.pipe(v.number(), v.integer(), v.minValue(0)),
  v.pipe(v.string(), v.regex(/^\d{1,18}$/)),
]);

const CountSchema = v.nullish(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/))]));

/** A contact as returned. `fields` comes in several shapes: see `parseFieldEntries`. */
export const NotificoreContactSchema = v.object({
  id: IdSchema,
  phone: v.nullish(v.union([v.number(), v.string()])),
  fields: v.nullish(v.unknown()),
  created_at: v.nullish(v.string()),
  groups: v.nullish(v.array(v.unknown())),
});
export type NotificoreContact = v.InferOutput<typeof NotificoreContactSchema>;

/** `GET/PUT /api/contacts/{id}`, `POST /api/contacts`. */
export const ContactEnvelopeSchema = v.object({ data: v.unknown() });

/** `GET /api/contacts` (`total`) and `GET /api/contacts/search` (`meta.page.total`). */
export const ContactPageSchema = v.object({
  data: v.array(v.unknown()),
  total: CountSchema,
  meta: v.nullish(
    v.object({ page: v.nullish(v.object({ total: CountSchema, limit: CountSchema })) }),
  ),
});
export type NotificoreContactPage = v.InferOutput<typeof ContactPageSchema>;

/** `GET /api/contacts/fields`: the account's custom fields (no pagination). */
export const FieldListSchema = v.object({
  data: v.array(v.object({ id: IdSchema, name: v.string(), type: v.nullish(v.string()) })),
});

/** `POST /api/auth/login`. */
export const LoginSchema = v.object({ bearer: v.pipe(v.string(), v.minLength(1)) });

/** A 4xx body: `{ message, errors }` (the `errors` element shape is unconfirmed). */
export const ErrorBodySchema = v.object({ message: v.nullish(v.string()) });

/** A custom-field value as one of the documented shapes carries it. */
export interface FieldEntry {
  /** A field id, or a field name where a shape keys values by name. */
  ref: number | string;
  value: string;
}

const ScalarSchema = v.nullish(v.union([v.string(), v.number(), v.boolean()]));
const RefSchema = v.union([v.number(), v.string()]);
const IdValueSchema = v.object({ id: RefSchema, value: ScalarSchema });
const CodeTextSchema = v.object({ code: RefSchema, text: ScalarSchema });
const MapSchema = v.record(v.string(), v.unknown());

/**
 * Reads `fields` in every shape the docs show: `[{ id, value }]`, `{ "<id>": value }`,
 * `[{ code, text }]`, and the SDK's "list of string maps" `[{ "<id>": value }]`. Values that are
 * not scalars are skipped (they stay in `raw`); null and empty values are absent.
 */
export function parseFieldEntries(fields: unknown): FieldEntry[] {
  if (fields === null || fields === undefined) return [];
  const items = Array.isArray(fields) ? fields : [fields];
  const entries: FieldEntry[] = [];
  const add = (ref: unknown, value: unknown) => {
    const parsedRef = toRef(ref);
    const text = toText(value);
    if (parsedRef !== undefined && text !== undefined)
      entries.push({ ref: parsedRef, value: text });
  };
  for (const item of items) {
    if (v.is(IdValueSchema, item)) add(item.id, item.value);
    else if (v.is(CodeTextSchema, item)) add(item.code, item.text);
    else if (v.is(MapSchema, item))
      for (const [key, value] of Object.entries(item)) add(key, value);
  }
  return entries;
}

function toRef(value: unknown): number | string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : value;
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The number of contacts a page response announces, wherever the endpoint puts it. */
export function totalOf(page: NotificoreContactPage): number | undefined {
  const total = page.total ?? page.meta?.page?.total;
  return total === undefined || total === null ? undefined : Number(total);
}
