import { checkedWritesOf } from '../checked-writes.js';
import { type Contact, type ContactInput, type ContactPatch, MAPPABLE_FIELDS } from '../contact.js';
import type { ContactStore } from '../contact-store.js';
import { ContactSyncError, isContactSyncError } from '../errors.js';
import type { LinkStore } from './link-store.js';
import { checkRecord } from './sync-input.js';

/** One field a push would change at one vendor. */
export interface FieldChange {
  /** `lastName`, `tags`, `customFields.company`, … */
  field: string;
  /** `set` (empty → value), `change`, `clear` (value → empty); tags: `add` / `remove` one tag. */
  kind: 'set' | 'change' | 'clear' | 'add' | 'remove';
  /** The value held now (absent for `set` and `add`). */
  from?: string;
  /** The value a push would write (absent for `clear` and `remove`). */
  to?: string;
}

/** What a push of one record would do at one vendor, found by reading only. */
export interface StoreDiff {
  /** The store's vendor. */
  provider: string;
  /**
   * `create` (no contact holds the phone there), `update` (fields differ), `unchanged`,
   * `conflict` (the phone's contact is linked to another key), `failed` (the read failed).
   */
  action: 'create' | 'update' | 'unchanged' | 'conflict' | 'failed';
  /** The vendor contact compared with, when there is one. */
  id?: string;
  /** How it was found: through the key's link, or by looking the phone up. */
  via?: 'link' | 'phone' | 'whatsappUserId';
  /** On `conflict`: the key the phone's contact is linked to. */
  existingKey?: string;
  /** What a push would change, field by field (empty unless `update`). */
  changes: FieldChange[];
  /** On `failed`: why (bad input, or the read failed), as the push would fail. */
  error?: ContactSyncError;
  /** On `failed`: what to do about it, where there is a way (a phone the vendor cannot change). */
  hint?: string;
}

/** What a push of one record would do at every store (`ContactSync.diff`). */
export interface DiffReport {
  /** The record's key. */
  key: string;
  /** One entry per store, in the order of `stores`. */
  results: StoreDiff[];
}

type FindKey = (provider: string, id: string) => Promise<string | undefined>;

/**
 * Reads what each store holds for a record (the linked contact, or the one holding its phone)
 * and lists what a push would change there, field by field. Sends no write. Never throws: bad
 * input and failed reads are `failed` results.
 */
export async function diffRecord(
  stores: readonly ContactStore[],
  links: LinkStore,
  defaultCountry: string | undefined,
  record: unknown,
  signal?: AbortSignal,
): Promise<DiffReport> {
  // Named as the push names it: the diff predicts the push's own outcome, reasons included.
  const checked = checkRecord(record, defaultCountry, 'push');
  if (!checked.ok) {
    return {
      key: checked.key,
      results: stores.map((store) => ({
        provider: store.provider,
        action: 'failed',
        changes: [],
        error: checked.error,
      })),
    };
  }
  const { key, input } = checked;
  let linked: Record<string, string> | undefined;
  try {
    linked = await links.get(key);
  } catch (error) {
    const failure = asError(error, 'links', 'diff');
    return {
      key,
      results: stores.map((store) => ({
        provider: store.provider,
        action: 'failed',
        changes: [],
        error: failure,
      })),
    };
  }
  const findKey = (links as { findKey?: FindKey }).findKey?.bind(links);
  const results = await Promise.all(
    stores.map((store) => diffAt(store, input, key, linked?.[store.provider], findKey, signal)),
  );
  return { key, results };
}

/**
 * The contact holding the input's identity: by phone when it has one, else by WhatsApp user id
 * where the store can look one up (a phone-only store refuses such an input at push anyway).
 */
async function findHeld(
  store: ContactStore,
  input: ContactInput,
  signal: AbortSignal | undefined,
): Promise<Contact | undefined> {
  if (input.phone !== undefined) return store.findByPhone(input.phone, { signal });
  if (input.whatsappUserId === undefined || !store.findByWhatsAppUserId) return undefined;
  return store.findByWhatsAppUserId(input.whatsappUserId, { signal });
}

async function diffAt(
  store: ContactStore,
  input: ContactInput,
  key: string,
  linkedId: string | undefined,
  findKey: FindKey | undefined,
  signal: AbortSignal | undefined,
): Promise<StoreDiff> {
  const provider = store.provider;
  try {
    let current = linkedId ? await store.get(linkedId, { signal }) : undefined;
    const via = current ? 'link' : input.phone === undefined ? 'whatsappUserId' : 'phone';
    current ??= await findHeld(store, input, signal);
    if (!current)
      return { provider, action: 'create', changes: changesOf(projected(store, input), {}) };
    if (via !== 'link' && findKey) {
      const owner = await findKey(provider, current.id);
      if (owner !== undefined && owner !== key) {
        return {
          provider,
          action: 'conflict',
          id: current.id,
          via,
          existingKey: owner,
          changes: [],
        };
      }
    }
    const changes = changesOf(projected(store, input), current);
    if (
      store.capabilities.changePhone === 'unsupported' &&
      changes.some((change) => change.field === 'phone')
    ) {
      // The push would send the update and the store refuse it before any request: say so, and
      // how to reach the new number, rather than show an update that cannot happen.
      const operation = store.reconcile ? 'reconcile' : 'update';
      return {
        provider,
        action: 'failed',
        id: current.id,
        via,
        changes: [],
        error: new ContactSyncError({
          code: 'unsupported',
          provider,
          operation,
          message: `[contact-sync] [${provider}] ${operation} failed: unsupported: ${provider} cannot change a contact's phone number`,
        }),
        hint: `To reach the new number at ${provider}, delete contact ${current.id} there and drop this key's ${provider} link: the next push creates a contact with the new number (the old one keeps its conversation history).`,
      };
    }
    return {
      provider,
      action: changes.length ? 'update' : 'unchanged',
      id: current.id,
      via,
      changes,
    };
  } catch (error) {
    return { provider, action: 'failed', changes: [], error: asError(error, provider, 'diff') };
  }
}

/**
 * The input as the store would hold it (its plan's projection, for stores built by
 * `defineContactStore`), else as given: fields a vendor cannot hold then show as changes.
 */
function projected(store: ContactStore, input: ContactInput): ContactPatch {
  const project = checkedWritesOf(store)?.project;
  if (!project) return input;
  try {
    return project(input);
  } catch {
    // A value the vendor refuses (an unconvertible typed field): the push reports it; compare as given.
    return input;
  }
}

/** The contact's single-valued fields (tags and custom fields are compared apart). */
const SCALARS = ['phone', ...MAPPABLE_FIELDS, 'assignedUser'] as const;

/**
 * The field changes from `current` to `wanted`. As in `upsert`: empty and absent are the same, tags
 * compare as sets, and a field `wanted` does not name is left alone (a push never erases it).
 */
export function changesOf(wanted: ContactPatch, current: ContactPatch): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of SCALARS) {
    if (wanted[field] === undefined) continue;
    pushChange(changes, field, text(current[field]), text(wanted[field]));
  }
  if (wanted.tags !== undefined) {
    const held = new Set(current.tags ?? []);
    const next = new Set(wanted.tags);
    for (const tag of next)
      if (!held.has(tag)) changes.push({ field: 'tags', kind: 'add', to: tag });
    for (const tag of held)
      if (!next.has(tag)) changes.push({ field: 'tags', kind: 'remove', from: tag });
  }
  for (const [name, value] of Object.entries(wanted.customFields ?? {})) {
    pushChange(changes, `customFields.${name}`, text(current.customFields?.[name]), text(value));
  }
  return changes;
}

function pushChange(changes: FieldChange[], field: string, from: string, to: string): void {
  if (from === to) return;
  if (!from) changes.push({ field, kind: 'set', to });
  else if (!to) changes.push({ field, kind: 'clear', from });
  else changes.push({ field, kind: 'change', from, to });
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** A change as the command line prints it: `lastName: Martin → Durand`, `+ tags: vip`. */
export function describeChange(change: FieldChange): string {
  switch (change.kind) {
    case 'add':
      return `+ ${change.field}: ${change.to}`;
    case 'remove':
      return `- ${change.field}: ${change.from}`;
    case 'set':
      return `${change.field}: ∅ → ${change.to}`;
    case 'clear':
      return `${change.field}: ${change.from} → ∅`;
    default:
      return `${change.field}: ${change.from} → ${change.to}`;
  }
}

function asError(error: unknown, provider: string, operation: string): ContactSyncError {
  return isContactSyncError(error)
    ? error
    : new ContactSyncError({ code: 'provider_error', provider, operation, retryable: false });
}
