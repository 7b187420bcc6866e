import { MAPPABLE_FIELDS } from '../../src/contact.js';
import { invalidConfig, type ValidationIssue } from '../../src/errors.js';

/** The contact fields SMS Partner stores besides the phone number (its write-side names). */
export const SMS_PARTNER_FIELDS = [
  'firstname',
  'lastname',
  'date',
  'url',
  'custom1',
  'custom2',
  'custom3',
  'custom4',
] as const;
export type SmsPartnerField = (typeof SMS_PARTNER_FIELDS)[number];

/** SMS Partner refuses longer first and last names; we truncate before sending. */
export const SMS_PARTNER_NAME_LIMIT = 32;
export const LENGTH_LIMITED_FIELDS: ReadonlySet<SmsPartnerField> = new Set([
  'firstname',
  'lastname',
]);

/**
 * Where each common value goes. Sources are common field names (`firstName`) or custom-field
 * paths (`customFields.company`); each SMS Partner field has at most one source.
 */
export interface SmsPartnerFieldMapping {
  readonly targetOf: ReadonlyMap<string, SmsPartnerField>;
  readonly sourceOf: ReadonlyMap<SmsPartnerField, string>;
}

const NATIVE: readonly [string, SmsPartnerField][] = [
  ['firstName', 'firstname'],
  ['lastName', 'lastname'],
  ['birthday', 'date'],
  ['url', 'url'],
];

/** Keys that name something `fieldMap` cannot route. */
const NOT_MAPPABLE = new Set(['phone', 'tags', 'assignedUser']);

const isSmsPartnerField = (value: unknown): value is SmsPartnerField =>
  typeof value === 'string' && (SMS_PARTNER_FIELDS as readonly string[]).includes(value);

const sourcePath = (key: string) =>
  (MAPPABLE_FIELDS as readonly string[]).includes(key) ? key : `customFields.${key}`;

/**
 * The native routes overridden by `fieldMap`. Throws `invalid_config` naming `fieldMap.<key>` for
 * a target SMS Partner does not have, a key that cannot be routed, or two sources on one field.
 */
export function resolveFieldMapping(
  fieldMap: Record<string, string | number> | undefined,
  provider: string,
): SmsPartnerFieldMapping {
  const issues: ValidationIssue[] = [];
  const targetOf = new Map<string, SmsPartnerField>(NATIVE);
  const explicit = new Map<string, string>();
  for (const [key, target] of Object.entries(fieldMap ?? {})) {
    if (NOT_MAPPABLE.has(key)) {
      issues.push({ path: `fieldMap.${key}`, message: `${key} cannot be mapped on SMS Partner` });
    } else if (!isSmsPartnerField(target)) {
      issues.push({
        path: `fieldMap.${key}`,
        message: `expected one of ${SMS_PARTNER_FIELDS.join(', ')}`,
      });
    } else {
      targetOf.set(sourcePath(key), target);
      explicit.set(sourcePath(key), key);
    }
  }
  const sourceOf = new Map<SmsPartnerField, string>();
  for (const [source, target] of targetOf) {
    const taken = sourceOf.get(target);
    if (taken === undefined) {
      sourceOf.set(target, source);
      continue;
    }
    // Native routes never collide with each other, so at least one side is a fieldMap key.
    const key = explicit.get(source) ?? explicit.get(taken) ?? source;
    const other = key === explicit.get(source) ? taken : source;
    issues.push({ path: `fieldMap.${key}`, message: `${target} already receives ${other}` });
  }
  if (issues.length) throw invalidConfig(issues, provider);
  return { targetOf, sourceOf };
}

/** The common path a code-9 `elementId` (`contact[firstname]`, `phoneNumber`) refers to. */
export function issuePathFor(mapping: SmsPartnerFieldMapping): (elementId: string) => string {
  return (elementId) => {
    const tokens = elementId.match(/[A-Za-z0-9_]+/g) ?? [];
    for (const token of tokens.reverse()) {
      if (token === 'phoneNumber' || token === 'phone') return 'phone';
      if (isSmsPartnerField(token)) return mapping.sourceOf.get(token) ?? token;
    }
    return elementId;
  };
}
