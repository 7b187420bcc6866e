import * as v from 'valibot';
import type { ContactInput } from '../contact.js';
import { ContactInputSchema } from '../contact-schema.js';
import { type ContactSyncError, invalidInput, isContactSyncError } from '../errors.js';
import { normalizePhone, phoneExtension, withExtension } from '../phone.js';
import { toValidationIssues } from '../validation.js';

/** Longest accepted key: long enough for any CRM id or URL-ish key, small enough to index. */
export const KEY_MAX_LENGTH = 256;

export type CheckedRecord =
  | { ok: true; key: string; input: ContactInput }
  | { ok: false; key: string; error: ContactSyncError };

/** The issue of a bad key, or `undefined` for a good one. */
export function keyIssue(key: unknown): { path: string; message: string } | undefined {
  if (typeof key !== 'string' || key.length === 0) {
    return { path: 'key', message: 'expected a non-empty string' };
  }
  if (key.length > KEY_MAX_LENGTH) {
    return { path: 'key', message: `at most ${KEY_MAX_LENGTH} characters` };
  }
  return undefined;
}

/** The key as a report shows it: the given one when it is a string, else `''`. */
export function reportKey(key: unknown): string {
  return typeof key === 'string' ? key : '';
}

/**
 * Validates a record once, for every store: the key, then the contact against the strict common
 * schema, with the phone in E.164. Issue paths are relative to the record (`key`, `contact.phone`).
 */
export function checkRecord(
  record: unknown,
  defaultCountry: string | undefined,
  operation: string,
): CheckedRecord {
  const { key, contact } =
    typeof record === 'object' && record !== null
      ? (record as Record<string, unknown>)
      : { key: undefined, contact: undefined };
  const issues = [keyIssue(key)].filter((issue) => issue !== undefined);
  const parsed = v.safeParse(ContactInputSchema, contact, { abortPipeEarly: true });
  if (!parsed.success) {
    for (const issue of toValidationIssues(parsed.issues)) {
      issues.push({
        path: issue.path ? `contact.${issue.path}` : 'contact',
        message: issue.message,
      });
    }
  }
  let input: ContactInput | undefined;
  if (parsed.success && parsed.output.phone === undefined) {
    // Known by its WhatsApp user id alone: each store says whether it can hold that.
    input = parsed.output as ContactInput;
  } else if (parsed.success && parsed.output.phone !== undefined) {
    try {
      const phone = normalizePhone(parsed.output.phone, { defaultCountry, path: 'contact.phone' });
      // The extension travels on, so that each store reports it is not kept.
      const extension = phoneExtension(parsed.output.phone, { defaultCountry });
      input = { ...(parsed.output as ContactInput), phone: withExtension(phone, extension) };
    } catch (error) {
      if (!isContactSyncError(error)) throw error;
      issues.push(...(error.issues ?? []));
    }
  }
  if (issues.length || !input) {
    return { ok: false, key: reportKey(key), error: invalidInput(issues, { operation }) };
  }
  return { ok: true, key: key as string, input };
}
