import type { Contact, ContactPatch, Warning } from 'contact-sync/provider';
import { phoneFromVendor } from 'contact-sync/provider';
import type { AcmeContact } from './api.js';

/** The body of Acme's create and update: only the fields Acme holds. */
export interface AcmeFields {
  phone?: string;
  first_name?: string;
  last_name?: string;
  display_name?: string;
}

/** The common fields Acme has no place for: each one given becomes a warning, never a silent drop. */
const UNHELD = ['birthday', 'url', 'tags', 'customFields', 'assignedUser'] as const;

/** Common patch → Acme's fields, with a warning per value Acme cannot hold. Pure. */
export function toAcmeFields(patch: ContactPatch): { value: AcmeFields; warnings: Warning[] } {
  const value: AcmeFields = {};
  if (patch.phone !== undefined) value.phone = patch.phone;
  if (patch.firstName !== undefined) value.first_name = patch.firstName;
  if (patch.lastName !== undefined) value.last_name = patch.lastName;
  if (patch.name !== undefined) value.display_name = patch.name;
  const warnings = UNHELD.filter((field) => patch[field] !== undefined).map(
    (field): Warning => ({
      field,
      reason: 'unsupported',
      message: `Acme has no field for ${field}`,
    }),
  );
  return { value, warnings };
}

/** Acme's contact → the common model; `undefined` when it has no readable phone. Pure. */
export function fromAcmeContact(contact: AcmeContact): Contact | undefined {
  const phone = phoneFromVendor(contact.phone);
  if (!phone) return undefined;
  return {
    id: contact.id,
    provider: 'acme',
    phone,
    ...(contact.first_name ? { firstName: contact.first_name } : {}),
    ...(contact.last_name ? { lastName: contact.last_name } : {}),
    ...(contact.display_name ? { name: contact.display_name } : {}),
    ...(contact.created_at ? { createdAt: contact.created_at } : {}),
    warnings: [],
    raw: contact,
  };
}

/** The input as Acme would hold it (`from(to(input))`), for `upsert` to report `unchanged`. */
export function projectAcmeFields(fields: AcmeFields): ContactPatch {
  return {
    phone: fields.phone,
    firstName: fields.first_name,
    lastName: fields.last_name,
    name: fields.display_name,
  };
}
