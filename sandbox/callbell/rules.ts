import type { EmulatorResponse } from '../emulator.js';

/** What must exist in the account before a contact may use it. */
export interface CallbellAccount {
  tags: ReadonlySet<string>;
  customFields: ReadonlySet<string>;
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
      if (!account.customFields.has(name)) return failure(422, `Custom field not found: ${name}`);
      const valid =
        typeof value === 'string' ||
        (Array.isArray(value) && value.every((item) => typeof item === 'string'));
      if (!valid) return failure(422, `Invalid value for custom field: ${name}`);
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
