import type { EmulatorResponse } from '../emulator.js';

/** A custom field of the account: its type decides the value it takes (since 2026-03-03). */
export interface CallbellEmulatorField {
  /** The field's name: the key of `custom_fields` in a contact. */
  name: string;
  /** Default `'text'`. */
  type?: 'text' | 'email' | 'number' | 'date' | 'dropdown' | 'checkbox';
  /** The allowed values of a `dropdown` or `checkbox` field. */
  options?: string[];
}

/** What must exist in the account before a contact may use it. */
export interface CallbellAccount {
  tags: ReadonlySet<string>;
  customFields: ReadonlyMap<string, CallbellEmulatorField>;
  users: ReadonlySet<string>;
}

/** A contact as Callbell returns it (the documented core set). */
export interface EmulatedCallbellContact {
  uuid: string;
  name: string;
  /** The identifier exactly as it was created. */
  phoneNumber: string;
  avatarUrl: null;
  createdAt: string;
  source: string;
  href: string;
  conversationHref: string;
  tags: string[];
  assignedUser: string | null;
  customFields: Record<string, string>;
}

export interface EmulatedRecord {
  /** Creation order: lists go newest first, and cursors point into it. */
  sequence: number;
  channelUuid: string;
  contact: EmulatedCallbellContact;
}

/** An error in the shape we assume for Callbell (undocumented): `{ "error": "…" }`. */
export function failure(status: number, message: string): EmulatorResponse {
  return { status, body: { error: message } };
}

/**
 * Callbell refuses a tag, a custom field or an agent that does not already exist in the account,
 * and a custom-field value that is neither a string nor (checkbox) a list of strings.
 */
export function checkFields(
  body: Record<string, unknown>,
  account: CallbellAccount,
): EmulatorResponse | undefined {
  const { tags, custom_fields: customFields, assigned_user: assignedUser } = body;
  if (tags !== undefined) {
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
      return failure(422, 'Invalid parameter: tags');
    }
    const unknown = tags.find((tag) => !account.tags.has(tag));
    if (unknown !== undefined) return failure(422, `Tag not found: ${unknown}`);
  }
  if (customFields !== undefined) {
    if (typeof customFields !== 'object' || customFields === null || Array.isArray(customFields)) {
      return failure(422, 'Invalid parameter: custom_fields');
    }
    for (const [name, value] of Object.entries(customFields)) {
      const field = account.customFields.get(name);
      if (!field) return failure(422, `Custom field not found: ${name}`);
      const problem = valueProblem(field, value);
      if (problem)
        return { status: 422, body: { error: { custom_fields: [`${name} ${problem}`] } } };
    }
  }
  if (
    assignedUser !== undefined &&
    (typeof assignedUser !== 'string' || !account.users.has(assignedUser))
  ) {
    return failure(422, 'Assigned user not found');
  }
  if (body.unassign_user !== undefined && typeof body.unassign_user !== 'boolean') {
    return failure(422, 'Invalid parameter: unassign_user');
  }
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Why a value does not fit its field, by type (Callbell validates since 2026-03-03): text, email,
 * number (as a string, `"42"`), date (`YYYY-MM-DD`) and dropdown take a string, a dropdown one of
 * its options; checkbox takes a list of its options. `""`, `null` and, for checkbox, `[]` clear.
 */
export function valueProblem(field: CallbellEmulatorField, value: unknown): string | undefined {
  if (value === null || value === '') return undefined;
  const type = field.type ?? 'text';
  const options = field.options ?? [];
  if (type === 'checkbox') {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      return 'must be a list of options';
    }
    const unknown = value.find((item) => !options.includes(item));
    return unknown === undefined ? undefined : `has no option "${unknown}"`;
  }
  if (typeof value !== 'string') return 'must be a string';
  if (type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'is not an email';
  if (type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) return 'is not a number';
  if (type === 'date' && !isCalendarDate(value)) return 'is not a date (YYYY-MM-DD)';
  if (type === 'dropdown' && !options.includes(value)) return `has no option "${value}"`;
  return undefined;
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
