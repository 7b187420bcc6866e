import * as v from 'valibot';

/**
 * SMS Partner's wire format, as far as we read it. Tolerant on purpose: unknown keys are dropped,
 * empty strings and nulls both mean "unset", numbers are accepted where the docs show strings
 * (`groupId` is a number in `contact/detail`), and either phone key (`phone` on read,
 * `phoneNumber` in the echo of a write) is read.
 */
const text = v.nullish(v.union([v.string(), v.number()]));
const identifier = v.pipe(
  v.union([v.pipe(v.string(), v.minLength(1)), v.number()]),
  v.transform(String),
);

const recordEntries = {
  contactId: v.nullish(identifier),
  phone: text,
  phoneNumber: text,
  firstname: text,
  lastname: text,
  date: text,
  url: text,
  shortUrl: text,
  custom1: text,
  custom2: text,
  custom3: text,
  custom4: text,
  createdAt: v.nullish(v.string()),
  groupId: v.nullish(identifier),
};

/** A contact in any SMS Partner answer. */
export const SmsPartnerRecordSchema = v.object(recordEntries);
export type SmsPartnerRecord = v.InferOutput<typeof SmsPartnerRecordSchema>;

/** A contact that must carry its id (detail, list, and the echo of `contact/add`). */
export const SmsPartnerStoredRecordSchema = v.object({ ...recordEntries, contactId: identifier });

/** What every answer carries: `success`, and usually `code` (a number, tolerated as a string). */
export const SmsPartnerEnvelopeSchema = v.object({
  success: v.boolean(),
  code: v.nullish(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number))])),
  message: v.nullish(v.unknown()),
  /** Code 9: `[{ elementId, message }]`. */
  error: v.nullish(v.unknown()),
});
export type SmsPartnerEnvelope = v.InferOutput<typeof SmsPartnerEnvelopeSchema>;

export const SmsPartnerValidationErrorsSchema = v.array(
  v.object({ elementId: v.nullish(v.string()), message: v.nullish(v.string()) }),
);

/** `contact/add` and `contact/detail`: `{ contact: {…} }`. */
export const SmsPartnerContactResponseSchema = v.object({ contact: SmsPartnerStoredRecordSchema });

/** `contact/list`: rows under `datas`, `total` a string (or absent). */
export const SmsPartnerListResponseSchema = v.object({
  datas: v.nullish(v.array(SmsPartnerStoredRecordSchema)),
  total: v.nullish(v.union([v.string(), v.number()])),
  currentPage: v.nullish(v.union([v.string(), v.number()])),
});
export type SmsPartnerListResponse = v.InferOutput<typeof SmsPartnerListResponseSchema>;

const count = v.nullish(v.union([v.number(), v.pipe(v.string(), v.transform(Number))]));

/**
 * `contact/add` with `contactsList`: no `success`, the group under `groupe.token`, the rows that
 * failed under `results` (each with its `phoneNumber` and code), counters under `rapport`. No ids.
 */
export const SmsPartnerBulkResponseSchema = v.object({
  groupe: v.nullish(v.object({ token: v.nullish(identifier), name: v.nullish(v.unknown()) })),
  results: v.nullish(
    v.array(
      v.object({
        success: v.nullish(v.boolean()),
        code: count,
        phoneNumber: text,
        message: v.nullish(v.unknown()),
      }),
    ),
  ),
  rapport: v.nullish(v.object({ nbline: count, nbline_imported: count, nbline_updated: count })),
});
export type SmsPartnerBulkResponse = v.InferOutput<typeof SmsPartnerBulkResponseSchema>;

/** Most rows in one `contactsList` (the docs: "a batch of 500 contacts maximum"). */
export const SMS_PARTNER_BULK_LIMIT = 500;

/** Contacts per `contact/list` page (older French reference page). */
export const SMS_PARTNER_PAGE_SIZE = 20;
