import { ContactSyncError } from 'contact-sync/provider';
import * as v from 'valibot';

/**
 * Acme's wire format, only the fields the adapter reads. Tolerant: unknown keys are stripped and
 * optional fields may be `null`, so a field Acme adds tomorrow breaks nothing.
 */
export const AcmeContactSchema = v.object({
  id: v.union([v.string(), v.pipe(v.number(), v.transform(String))]),
  phone: v.string(),
  first_name: v.nullish(v.string()),
  last_name: v.nullish(v.string()),
  display_name: v.nullish(v.string()),
  created_at: v.nullish(v.string()),
});
export type AcmeContact = v.InferOutput<typeof AcmeContactSchema>;

/** `{ data: contact }`: the answer of a create, a read and an update. */
const OneSchema = v.object({ data: AcmeContactSchema });

/** `{ data: contacts, next }`: a page of the list, or the matches of a phone lookup. */
const PageSchema = v.object({
  data: v.array(AcmeContactSchema),
  next: v.nullish(v.string()),
});
export type AcmePage = v.InferOutput<typeof PageSchema>;

/** `{ error: { type, message, field?, contact_id? } }`: every error Acme documents. */
const ErrorSchema = v.object({
  error: v.object({
    type: v.string(),
    message: v.nullish(v.string()),
    field: v.nullish(v.string()),
    contact_id: v.nullish(v.union([v.string(), v.pipe(v.number(), v.transform(String))])),
  }),
});
export type AcmeErrorBody = v.InferOutput<typeof ErrorSchema>['error'];

export function contactOf(body: unknown, operation: string): AcmeContact {
  return read(OneSchema, body, operation).data;
}

export function pageOf(body: unknown, operation: string): AcmePage {
  return read(PageSchema, body, operation);
}

/** The error object of an answer, or `undefined` when the body is not Acme's error shape. */
export function errorOf(body: unknown): AcmeErrorBody | undefined {
  const parsed = v.safeParse(ErrorSchema, body);
  return parsed.success ? parsed.output.error : undefined;
}

function read<TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: unknown,
  operation: string,
): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, body);
  if (parsed.success) return parsed.output;
  // Never the body itself in the message: it holds phone numbers.
  throw new ContactSyncError({
    code: 'invalid_response',
    provider: 'acme',
    operation,
    retryable: false,
    detail: `unexpected answer at ${v.getDotPath(parsed.issues[0]) ?? '(root)'}`,
  });
}
