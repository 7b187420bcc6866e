import type { ContactInput, ContactPatch, Warning } from './contact.js';
import {
  ContactIdSchema,
  ContactInputSchema,
  ContactPatchSchema,
  WhatsAppUserIdSchema,
} from './contact-schema.js';
import { invalidInput } from './errors.js';
import { extensionWarnings, normalizePhone } from './phone.js';
import type { StoreSettings } from './store.js';
import { parseWith } from './validation.js';

/** A validated input, with the warnings of what it carried that no vendor stores. */
export interface Checked<T> {
  value: T;
  warnings: Warning[];
}

/**
 * The public calls' validation: the strict common schema, the phone in E.164, before any request.
 * (`ContactSync` validates a record once itself and hands the result over `CHECKED_WRITES`.)
 */
export function validators(provider: string, settings: StoreSettings) {
  const context = (operation: string) => ({ provider, operation });

  function validInput(input: unknown, operation: string): Checked<ContactInput> {
    const parsed = parseWith(ContactInputSchema, input, (issues) =>
      invalidInput(issues, context(operation)),
    ) as ContactInput;
    if (parsed.phone === undefined) return { value: parsed, warnings: [] };
    const value = { ...parsed, phone: normalizePhone(parsed.phone, settings) };
    return { value, warnings: extensionWarnings(parsed.phone, settings) };
  }

  function validPatch(patch: unknown, operation: string): Checked<ContactPatch> {
    const parsed = parseWith(ContactPatchSchema, patch, (issues) =>
      invalidInput(issues, context(operation)),
    ) as ContactPatch;
    if (parsed.phone === undefined) return { value: parsed, warnings: [] };
    const value = { ...parsed, phone: normalizePhone(parsed.phone, settings) };
    return { value, warnings: extensionWarnings(parsed.phone, settings) };
  }

  /**
   * A record `ContactSync` has checked: its phone is E.164, with the extension the input carried
   * in RFC 3966 form (`;ext=12`), which no vendor stores: it becomes a warning.
   */
  function fromRecord(input: ContactInput): Checked<ContactInput> {
    const at = input.phone?.indexOf(';ext=') ?? -1;
    if (input.phone === undefined || at < 0) return { value: input, warnings: [] };
    const value = { ...input, phone: input.phone.slice(0, at) };
    return { value, warnings: extensionWarnings(input.phone, settings) };
  }

  function validId(id: unknown, operation: string): string {
    return parseWith(ContactIdSchema, id, (issues) =>
      invalidInput(
        issues.map((issue) => ({ ...issue, path: 'id' })),
        context(operation),
      ),
    );
  }

  function validPhone(phone: unknown, operation: string): string {
    if (typeof phone !== 'string') {
      throw invalidInput([{ path: 'phone', message: 'expected string' }], context(operation));
    }
    return normalizePhone(phone, settings);
  }

  function validWhatsAppUserId(id: unknown, operation: string): string {
    return parseWith(WhatsAppUserIdSchema, id, (issues) =>
      invalidInput(
        issues.map((issue) => ({ ...issue, path: 'whatsappUserId' })),
        context(operation),
      ),
    );
  }

  return { validInput, validPatch, validId, validPhone, validWhatsAppUserId, fromRecord };
}
