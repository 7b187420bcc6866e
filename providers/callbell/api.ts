import * as v from 'valibot';
import { ContactSyncError } from '../../src/errors.js';

/**
 * Callbell's wire format, read tolerantly: only the fields we use, unknown keys stripped, `null`
 * and absence alike. Where the docs disagree (a contact wrapped in an array or not, tags as an
 * array or a string) both shapes are accepted.
 */

const id = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform((value) => String(value)),
);

export const CallbellContactSchema = v.object({
  uuid: id,
  name: v.nullish(v.string()),
  phoneNumber: v.nullish(v.union([v.string(), v.number()])),
  source: v.nullish(v.string()),
  tags: v.nullish(v.union([v.array(v.string()), v.string()])),
  assignedUser: v.nullish(v.string()),
  customFields: v.nullish(v.record(v.string(), v.unknown())),
  customFieldsMetadata: v.nullish(v.unknown()),
  createdAt: v.nullish(v.string()),
  /** The channel the conversation is on (documented on the object; which endpoints send it is unconfirmed). */
  channel: v.nullish(
    v.object({
      uuid: v.nullish(v.string()),
      type: v.nullish(v.string()),
      main: v.nullish(v.boolean()),
    }),
  ),
});
export type CallbellContact = v.InferOutput<typeof CallbellContactSchema>;

/** `{ contact: {...} }` (lookup by phone) or `{ contact: [ {...} ] }` (create, get, update). */
const ContactEnvelopeSchema = v.object({
  contact: v.nullish(v.union([v.array(v.unknown()), v.record(v.string(), v.unknown())])),
});

const ListPageSchema = v.object({
  contacts: v.nullish(v.array(v.unknown())),
  meta: v.nullish(
    v.object({
      page: v.nullish(v.number()),
      pages: v.nullish(v.number()),
      next: v.nullish(v.string()),
    }),
  ),
});

/** One parsed contact with the object Callbell sent (kept as `raw`). */
export interface ReceivedContact {
  contact: CallbellContact;
  raw: unknown;
}

export interface ReceivedPage {
  contacts: ReceivedContact[];
  /** The total of pages, when Callbell says. */
  pages?: number;
  /** The cursor of the next page (`after`), when Callbell gives one. */
  next?: string;
}

/** The contact of an envelope, or `undefined` when it holds none (`[]`, `null`). */
export function contactOf(body: unknown, operation: string): ReceivedContact | undefined {
  const envelope = parse(ContactEnvelopeSchema, body, operation);
  const raw = Array.isArray(envelope.contact) ? envelope.contact[0] : envelope.contact;
  if (raw === undefined || raw === null) return undefined;
  return { contact: parse(CallbellContactSchema, raw, operation), raw };
}

/** One page of `GET /contacts`. */
export function pageOf(body: unknown, operation: string): ReceivedPage {
  const page = parse(ListPageSchema, body, operation);
  return {
    contacts: (page.contacts ?? []).map((raw) => ({
      contact: parse(CallbellContactSchema, raw, operation),
      raw,
    })),
    pages: page.meta?.pages ?? undefined,
    next: page.meta?.next || undefined,
  };
}

/** The error for a response that does not have the documented shape. */
export function invalidResponse(operation: string, message?: string): ContactSyncError {
  return new ContactSyncError({
    code: 'invalid_response',
    provider: 'callbell',
    operation,
    retryable: false,
    message:
      message && `[contact-sync] [callbell] ${operation} failed: invalid_response: ${message}`,
  });
}

function parse<TSchema extends v.GenericSchema>(
  schema: TSchema,
  value: unknown,
  operation: string,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw invalidResponse(operation);
  return result.output;
}
