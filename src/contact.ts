/**
 * The provider-neutral contact model. Every store reads and writes these shapes; each adapter
 * translates them to and from its vendor's wire format.
 */

/** What a caller gives to create a contact. */
export interface ContactInput {
  /**
   * Any common format is accepted; E.164 is what gets stored. A contact needs `phone` or
   * `whatsappUserId`; a store whose `capabilities.identity` lacks `'whatsappUserId'` needs `phone`
   * (`unsupported` naming `phone` otherwise, before any request).
   */
  phone?: string | undefined;
  /**
   * WhatsApp's business-scoped user id (BSUID; Callbell `bsuid`), kept exactly as the vendor gives
   * it (case-sensitive, never reformatted). Scoped to one Meta business portfolio: the same person
   * has another id in another portfolio, so it identifies a contact within one vendor account only,
   * never across accounts. Personal data, like a phone: kept out of errors and logs.
   */
  whatsappUserId?: string | undefined;
  /** Given name (≤ 1000 characters). */
  firstName?: string | undefined;
  /** Family name (≤ 1000 characters). */
  lastName?: string | undefined;
  /** Display name; when absent, `firstName + ' ' + lastName` where a vendor needs one. */
  name?: string | undefined;
  /** `YYYY-MM-DD`. */
  birthday?: string | undefined;
  /** `http://` or `https://`. */
  url?: string | undefined;
  /** Labels (≤ 100, each 1–100 characters); some vendors need them to exist first. */
  tags?: string[] | undefined;
  /** Logical names chosen by the user, mapped per vendor through `fieldMap`. */
  customFields?: Record<string, string> | undefined;
  /** An agent's email; `null` removes the assignment. */
  assignedUser?: string | null | undefined;
}

/**
 * A partial change: only the fields present are written; a field set to `undefined` is not
 * present (so a patch built from optional values type-checks under `exactOptionalPropertyTypes`).
 */
export type ContactPatch = { [Field in keyof ContactInput]?: ContactInput[Field] | undefined };

/** Why a value could not be stored as given. */
/**
 * Why a value was not stored as given. `fixed_line`: the phone is a landline, which the vendor's
 * SMS or WhatsApp messages cannot reach (the command line's warning; the contact is stored).
 */
export type WarningReason = 'unsupported' | 'unmapped' | 'truncated' | 'ignored' | 'fixed_line';

/** Something a provider could not store: never dropped silently. */
export interface Warning {
  /** The common field, e.g. `birthday` or `customFields.company`. */
  field: string;
  /** Why it could not be stored as given. */
  reason: WarningReason;
  /** A human-readable explanation (never the value itself). */
  message: string;
}

/** A contact as a provider holds it, in the common model. */
export interface Contact extends ContactInput {
  /** The provider's id, always a string. */
  id: string;
  /** `'smspartner' | 'callbell' | 'notificore'` or a user adapter's name. */
  provider: string;
  /**
   * E.164, e.g. `'+33612345678'`. Absent only on a contact the vendor holds without a phone (a
   * WhatsApp user known by `whatsappUserId` alone, where `capabilities.identity` allows it).
   */
  phone?: string | undefined;
  /** ISO 8601. */
  createdAt?: string | undefined;
  /** What this provider could not store from the input that produced this result. */
  warnings: Warning[];
  /** The provider's own object, as parsed. */
  raw: unknown;
}

/** The fields that can identify a contact at a vendor (see `Capabilities.identity`). */
export type IdentityField = 'phone' | 'whatsappUserId';

/** The common fields that `fieldMap` may route (besides custom-field keys). */
export const MAPPABLE_FIELDS = ['firstName', 'lastName', 'name', 'birthday', 'url'] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];
