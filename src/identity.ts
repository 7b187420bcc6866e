import type { Contact, ContactPatch, IdentityField, Warning } from './contact.js';
import type { Capabilities } from './contact-store.js';
import { ContactSyncError } from './errors.js';

/**
 * Identity beyond the phone (design §15): which field identifies a contact at a vendor, and the
 * rules every store shares about it. A phone comes first; a WhatsApp user id (BSUID) identifies a
 * contact only where there is no phone, and only within one vendor account (it is scoped to one
 * Meta business portfolio: never a key across accounts).
 */

/** What a store without `capabilities.identity` holds: contacts with a phone. */
export const PHONE_ONLY: readonly IdentityField[] = Object.freeze(['phone']);

/** The store's identity capability, `['phone']` when it does not say. */
export function identityOf(capabilities: Pick<Capabilities, 'identity'>): readonly IdentityField[] {
  const identity = capabilities.identity;
  return Array.isArray(identity) && identity.length > 0 ? identity : PHONE_ONLY;
}

/** True when the store can hold a contact known by its WhatsApp user id alone. */
export function holdsWhatsAppUserId(capabilities: Pick<Capabilities, 'identity'>): boolean {
  return identityOf(capabilities).includes('whatsappUserId');
}

/** The field a lookup of `input` goes by: its phone when it has one, else its WhatsApp user id. */
export type LookupIdentity =
  | { field: 'phone'; value: string }
  | { field: 'whatsappUserId'; value: string };

export function lookupIdentity(input: ContactPatch): LookupIdentity | undefined {
  if (input.phone !== undefined) return { field: 'phone', value: input.phone };
  if (input.whatsappUserId !== undefined) {
    return { field: 'whatsappUserId', value: input.whatsappUserId };
  }
  return undefined;
}

/**
 * One string per identity, for maps and locks: the E.164 phone as it is (it starts with `+`), a
 * WhatsApp user id behind a prefix no phone has, so the two never meet.
 */
export function identityKey(input: ContactPatch): string | undefined {
  const identity = lookupIdentity(input);
  if (!identity) return undefined;
  return identity.field === 'phone' ? identity.value : `whatsappUserId:${identity.value}`;
}

/** The `unsupported` error of a phone-less input at a store that needs a phone. */
export function phoneRequired(provider: string, operation: string): ContactSyncError {
  return new ContactSyncError({
    code: 'unsupported',
    provider,
    operation,
    retryable: false,
    issues: [
      {
        path: 'phone',
        message: `required: ${provider} cannot hold a contact without a phone number`,
      },
    ],
    message: `[contact-sync] [${provider}] ${operation} failed: unsupported: phone is required (${provider} cannot hold a contact without a phone number; a whatsappUserId alone is not enough)`,
  });
}

/** The warning of a WhatsApp user id given to a store that cannot hold one. */
export function whatsappUserIdUnsupported(provider: string): Warning {
  return {
    field: 'whatsappUserId',
    reason: 'unsupported',
    message: `${provider} cannot hold a WhatsApp user id; the contact is kept by its phone`,
  };
}

/** The warning of a WhatsApp user id the vendor did not keep (it holds another one, or none). */
export function whatsappUserIdIgnored(provider: string): Warning {
  return {
    field: 'whatsappUserId',
    reason: 'ignored',
    message: `${provider} did not keep the WhatsApp user id given (the vendor sets it itself)`,
  };
}

/**
 * The `conflict` of a contact found by phone that holds another WhatsApp user id than the input's:
 * two identities that may be two people, never merged silently. Names both fields, no value.
 */
export function identityConflict(
  provider: string,
  operation: string,
  existing: Contact,
): ContactSyncError {
  return new ContactSyncError({
    code: 'conflict',
    provider,
    operation,
    existingId: existing.id,
    retryable: false,
    message: `[contact-sync] [${provider}] ${operation} failed: conflict: the contact holding this phone has another whatsappUserId than the one given (phone and whatsappUserId name different contacts); nothing was written`,
  });
}

/** Values to keep out of messages and hook events: a WhatsApp user id is personal data. */
export function whatsappUserIdForms(id: string | undefined): string[] {
  return id ? [id, encodeURIComponent(id)] : [];
}

/**
 * The phone of an input at a store that needs one. `defineContactStore` refuses a phone-less input
 * before the driver sees it; this is the driver's own guard (and its type), never a TypeError.
 */
export function phoneOf(
  input: { phone?: string | undefined },
  provider: string,
  operation: string,
): string {
  if (input.phone === undefined) throw phoneRequired(provider, operation);
  return input.phone;
}
