import * as v from 'valibot';
import { ContactSyncError } from '../../src/errors.js';
import type { RequestSpec } from '../../src/http.js';

/**
 * Brevo's Contacts API (v3) wire format: only what the adapter reads, tolerant of drift
 * (`v.object` strips unknown keys, `v.nullish` where a key may be missing or null).
 */

/** Ids are int64 in the docs; digit strings are accepted too. */
const IdSchema = v.union([
  v.pipe(v.number(), v.integer(), v.minValue(1)),
  v.pipe(v.string(), v.regex(/^\d{1,18}$/)),
]);

const AttributeValueSchema = v.union([
  v.string(),
  v.number(),
  v.boolean(),
  v.array(v.unknown()),
  v.null(),
]);

/** A contact of `GET /contacts/{identifier}` or an item of `GET /contacts`. */
export const BrevoContactSchema = v.object({
  id: IdSchema,
  email: v.nullish(v.string()),
  attributes: v.nullish(v.record(v.string(), v.nullish(AttributeValueSchema))),
  emailBlacklisted: v.nullish(v.boolean()),
  smsBlacklisted: v.nullish(v.boolean()),
  whatsappBlacklisted: v.nullish(v.boolean()),
  listIds: v.nullish(v.array(v.number())),
  createdAt: v.nullish(v.string()),
  modifiedAt: v.nullish(v.string()),
});
export type BrevoContact = v.InferOutput<typeof BrevoContactSchema>;

/** `GET /contacts`: a page and the total of matching contacts. */
export const ContactPageSchema = v.object({
  contacts: v.nullish(v.array(v.unknown())),
  count: v.nullish(v.number()),
});

/** `POST /contacts` → 201 `{ id }`. */
export const CreatedSchema = v.object({ id: IdSchema });

/** `GET /contacts/attributes`. */
export const AttributeListSchema = v.object({
  attributes: v.array(
    v.object({
      name: v.string(),
      category: v.nullish(v.string()),
      type: v.nullish(v.string()),
      multiCategoryOptions: v.nullish(v.array(v.string())),
    }),
  ),
});

/** `POST /contacts/import` → 202 `{ processId }`. */
export const ImportStartedSchema = v.object({ processId: IdSchema });

/** `GET /processes/{id}`. */
export const ProcessSchema = v.object({
  id: IdSchema,
  status: v.string(),
  info: v.nullish(v.object({ import: v.nullish(v.record(v.string(), v.nullish(v.string()))) })),
});

/** Brevo's error body: `{ code, message[, metadata] }`. */
export const ErrorBodySchema = v.object({
  code: v.nullish(v.string()),
  message: v.nullish(v.string()),
  metadata: v.nullish(v.object({ duplicate_identifiers: v.nullish(v.array(v.string())) })),
});

/** Parses a 2xx body, or fails `invalid_response` (no cause: an issue quotes what it read). */
export function parsed<T extends v.GenericSchema>(
  schema: T,
  body: unknown,
  spec: RequestSpec,
): v.InferOutput<T> {
  const result = v.safeParse(schema, body);
  if (!result.success) throw invalidResponse(spec);
  return result.output;
}

/** The error of a 2xx answer without the documented shape. */
export function invalidResponse(spec: RequestSpec, detail?: string): ContactSyncError {
  return new ContactSyncError({
    code: 'invalid_response',
    provider: 'brevo',
    operation: spec.operation,
    route: `${spec.method} ${spec.route}`,
    retryable: false,
    ...(detail ? { detail } : {}),
  });
}
