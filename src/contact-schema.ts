import * as v from 'valibot';
import { refuseReservedKeys } from './validation.js';

/** Upper bounds that keep one contact small whatever the vendor allows. */
export const LIMITS = {
  /** Characters in a text field (names, url, email). */
  text: 1000,
  /** Tags on one contact. */
  tags: 100,
  /** Characters in one tag. */
  tag: 100,
  /** Custom fields on one contact. */
  customFields: 100,
  /** Characters in a custom field's name. */
  customFieldKey: 100,
  /** Characters in a custom field's value. */
  customFieldValue: 1000,
  /** Characters in a vendor id given by a caller. */
  id: 256,
} as const;

/** Half of a UTF-16 pair without the other half: text no URL or JSON encoder can carry. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const text = v.pipe(v.string(), v.maxLength(LIMITS.text, `at most ${LIMITS.text} characters`));

const birthday = v.pipe(
  v.string(),
  v.check((value) => value === '' || isCalendarDate(value), 'expected a date written YYYY-MM-DD'),
);

const url = v.pipe(
  v.string(),
  v.maxLength(LIMITS.text, `at most ${LIMITS.text} characters`),
  v.check(
    (value) => value === '' || /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value),
    'expected an http:// or https:// URL',
  ),
);

const tags = v.pipe(
  v.array(
    v.pipe(
      v.string(),
      v.minLength(1, 'a tag cannot be empty'),
      v.maxLength(LIMITS.tag, `at most ${LIMITS.tag} characters`),
    ),
  ),
  v.maxLength(LIMITS.tags, `at most ${LIMITS.tags} tags`),
);

const customFieldKey = v.pipe(
  v.string(),
  v.minLength(1, 'a custom field name cannot be empty'),
  v.maxLength(LIMITS.customFieldKey, `at most ${LIMITS.customFieldKey} characters`),
);

const customFields = v.pipe(
  v.unknown(),
  refuseReservedKeys(),
  v.record(
    customFieldKey,
    v.pipe(
      v.string(),
      v.maxLength(LIMITS.customFieldValue, `at most ${LIMITS.customFieldValue} characters`),
    ),
  ),
  v.maxEntries(LIMITS.customFields, `at most ${LIMITS.customFields} custom fields`),
);

const assignedUser = v.nullable(
  v.pipe(v.string(), v.maxLength(LIMITS.text), v.email('expected an email address')),
);

const phone = v.pipe(
  v.string(),
  v.minLength(1, 'required'),
  v.maxLength(64, 'at most 64 characters'),
);

/**
 * A BSUID, checked loosely: vendors show other forms than Meta's `CC.<alphanumerics>` (Callbell's
 * own example is `bsuid_abc123`), so only what no id can hold is refused. Kept as given.
 */
export const WhatsAppUserIdSchema = v.pipe(
  v.string(),
  v.minLength(1, 'cannot be empty'),
  v.maxLength(LIMITS.id, `at most ${LIMITS.id} characters`),
  v.check(
    (value) => !/[\s\p{Cc}]/u.test(value),
    'expected an id without spaces or control characters',
  ),
  v.check((value) => value !== '.' && value !== '..', 'not an id: . and .. name other endpoints'),
  v.check(
    (value) => !LONE_SURROGATE.test(value),
    'expected well-formed text (a lone surrogate was found)',
  ),
);

const patchEntries = {
  phone: v.optional(phone),
  whatsappUserId: v.optional(WhatsAppUserIdSchema),
  firstName: v.optional(text),
  lastName: v.optional(text),
  name: v.optional(text),
  birthday: v.optional(birthday),
  url: v.optional(url),
  tags: v.optional(tags),
  customFields: v.optional(customFields),
  assignedUser: v.optional(assignedUser),
};

/**
 * A `ContactInput` from a caller: unknown keys are errors, so a typo is never dropped. It needs a
 * `phone` or a `whatsappUserId` (the issue names `phone` when it has neither).
 */
export const ContactInputSchema = v.pipe(
  v.strictObject(patchEntries),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { phone, whatsappUserId } = dataset.value;
    if (phone === undefined && whatsappUserId === undefined) {
      addIssue({
        message: 'required (a contact needs a phone or a whatsappUserId)',
        path: [
          {
            type: 'object',
            origin: 'value',
            input: dataset.value as Record<string, unknown>,
            key: 'phone',
            value: undefined,
          },
        ],
      });
    }
  }),
);

/** A `ContactPatch` from a caller. */
export const ContactPatchSchema = v.strictObject(patchEntries);

/** A vendor id given by a caller. */
export const ContactIdSchema = v.pipe(
  v.string(),
  v.minLength(1, 'required'),
  v.maxLength(LIMITS.id, `at most ${LIMITS.id} characters`),
  // In a URL path, `.` and `..` (however encoded, %2E included) are dot segments: they would
  // reach the collection or the parent endpoint. A lone surrogate cannot be encoded at all.
  v.check((id) => id !== '.' && id !== '..', 'not an id: . and .. name other endpoints'),
  v.check(
    (id) => !LONE_SURROGATE.test(id),
    'expected well-formed text (a lone surrogate was found)',
  ),
);

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
