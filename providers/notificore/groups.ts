import type { Contact, Warning } from '../../src/contact.js';
import { isContactSyncError } from '../../src/errors.js';
import type { HttpClient, RequestSpec } from '../../src/http.js';
import { toNotificoreError } from './errors.js';
import type { CallContext } from './requests.js';

/** Lists a call of `POST /api/groups/attach` may name (the vendor's limit: 1–20). */
const LISTS_PER_ATTACH = 20;

/**
 * The list ids a contact object names in `groups`: embedded list objects (`{ id, … }`, what the
 * docs show) or plain ids. `undefined` when the object has no `groups` to read.
 */
export function groupIdsOf(raw: unknown): number[] | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const groups = (raw as { groups?: unknown }).groups;
  if (!Array.isArray(groups)) return undefined;
  const ids: number[] = [];
  for (const item of groups) {
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : item;
    const number = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
    if (typeof number === 'number' && Number.isSafeInteger(number)) ids.push(number);
  }
  return ids;
}

/** `POST /api/groups/attach`: every contact named joins every list named. */
export function attachSpec(contactId: number, listIds: number[], call: CallContext): RequestSpec {
  return {
    operation: 'attach',
    method: 'POST',
    path: 'api/groups/attach',
    route: '/api/groups/attach',
    json: { contacts: [contactId], groups: listIds },
    signal: call.signal,
  };
}

/**
 * Keeps a written contact in the configured lists. The create and update bodies name lists too,
 * but whether an update adds, replaces or ignores them is not documented, so membership is
 * checked on the contact the vendor answered with and completed through `groups/attach` (an
 * idempotent call, retried like a read). A refused or failed attach does not undo the write: it
 * becomes a warning on the result; only an abort is thrown.
 */
export function createMembership(http: HttpClient, listIds: readonly number[] | undefined) {
  const wanted = [...new Set(listIds ?? [])];

  /** The configured lists the contact is not shown in (all of them when it shows none). */
  function missingFrom(contact: Contact): number[] {
    const held = groupIdsOf(contact.raw);
    return held ? wanted.filter((id) => !held.includes(id)) : wanted;
  }

  async function attach(contactId: number, lists: number[], call: CallContext): Promise<void> {
    const spec = attachSpec(contactId, lists, { signal: call.signal });
    await http.request(spec, (response) => {
      if (response.status < 200 || response.status >= 300) {
        throw toNotificoreError(http, response, spec);
      }
    });
  }

  return {
    /** True when the contact, as read, is in every configured list. */
    holdsAll: (contact: Contact) => missingFrom(contact).length === 0,

    /** Attaches the contact to the lists it is missing; returns a warning for each failed call. */
    async ensure(contact: Contact, call: CallContext): Promise<Warning[]> {
      const missing = missingFrom(contact);
      const warnings: Warning[] = [];
      for (let start = 0; start < missing.length; start += LISTS_PER_ATTACH) {
        const lists = missing.slice(start, start + LISTS_PER_ATTACH);
        try {
          await attach(Number(contact.id), lists, call);
        } catch (error) {
          if (isContactSyncError(error) && error.code === 'aborted') throw error;
          if (!isContactSyncError(error)) throw error;
          warnings.push(membershipWarning(lists, error.code, error.status));
        }
      }
      return warnings;
    },
  };
}

/** Names the lists and the failure, never the contact's phone. */
function membershipWarning(lists: number[], code: string, status?: number): Warning {
  const why = status === undefined ? code : `${code} (${status})`;
  return {
    field: 'listIds',
    reason: 'ignored',
    message: `the contact was written but not added to list${lists.length > 1 ? 's' : ''} ${lists.join(', ')}: groups/attach failed: ${why}`,
  };
}
