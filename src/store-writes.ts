import type { Contact, ContactInput, ContactPatch } from './contact.js';
import type { ReconcileResult, UpsertResult } from './contact-store.js';
import { ContactSyncError, isContactSyncError } from './errors.js';
import { identityConflict, type LookupIdentity, lookupIdentity } from './identity.js';
import type { Recovery } from './retry.js';
import type { ContactStoreDriver, WritePlan } from './store.js';
import { isUnchanged, sameContact, sameId, withExistingId } from './store-checks.js';

/** Decides whether a write may take over a contact found by phone (see `UpsertOptions.claim`). */
export type Claim = (existing: Contact) => boolean | Promise<boolean>;

/** Conflicts raised by a refused claim: final, never resolved by adopting the contact. */
const refused = new WeakSet<ContactSyncError>();

/**
 * The write paths `defineContactStore` builds over a driver. Inputs arrive validated and planned
 * (mapped once by `driver.plan`); every answer is checked to be about the id or phone asked.
 */
export function createWrites<Plan extends WritePlan>(driver: ContactStoreDriver<Plan>) {
  const { provider, capabilities } = driver;
  const lookupFirst = capabilities.findByPhone === 'native';
  // An upsert looks up before it creates where a lookup is cheap: native, or from the driver's index.
  const upsertLooksFirst = lookupFirst || driver.indexedLookup === true;

  async function get(id: string, signal: AbortSignal | undefined, operation: string) {
    return sameId(await driver.get(id, { signal }), id, provider, operation);
  }

  async function findByPhone(phone: string, signal: AbortSignal | undefined, operation: string) {
    const found = await driver.findByPhone(phone, { signal });
    if (found && found.phone !== phone) throw anotherAnswer(operation, 'phone number');
    return found;
  }

  /** The contact holding a WhatsApp user id, where the driver can look one up. */
  async function findByWhatsAppUserId(
    whatsappUserId: string,
    signal: AbortSignal | undefined,
    operation: string,
  ) {
    if (!driver.findByWhatsAppUserId) return undefined;
    const found = await driver.findByWhatsAppUserId(whatsappUserId, { signal });
    // Exact: a BSUID is case-sensitive, and an answer about another one is someone else.
    if (found && found.whatsappUserId !== whatsappUserId) {
      throw anotherAnswer(operation, 'WhatsApp user id');
    }
    return found;
  }

  function anotherAnswer(operation: string, what: string) {
    return new ContactSyncError({
      code: 'invalid_response',
      provider,
      operation,
      retryable: false,
      message: `[contact-sync] [${provider}] ${operation} failed: invalid_response: the vendor answered a lookup with another ${what}`,
    });
  }

  /** The contact holding the input's identity: by phone when it has one, else by BSUID. */
  function findHolder(
    identity: LookupIdentity | undefined,
    signal: AbortSignal | undefined,
    operation: string,
  ) {
    if (!identity) return Promise.resolve(undefined);
    return identity.field === 'phone'
      ? findByPhone(identity.value, signal, operation)
      : findByWhatsAppUserId(identity.value, signal, operation);
  }

  /** True when the vendor answers a lookup of this identity with one request. */
  function cheapLookup(identity: LookupIdentity | undefined): boolean {
    if (identity?.field === 'whatsappUserId') return driver.findByWhatsAppUserId !== undefined;
    return lookupFirst;
  }

  /** A `conflict` names the contact that holds the phone, where the vendor can look it up. */
  async function namingHolder(error: unknown, input: ContactPatch, signal?: AbortSignal) {
    if (!isContactSyncError(error) || error.code !== 'conflict' || error.existingId) return error;
    const identity = lookupIdentity(input);
    if (!identity || !cheapLookup(identity)) return error;
    const holder = await findHolder(identity, signal, error.operation ?? 'create').catch(
      () => undefined,
    );
    return holder ? withExistingId(error, holder.id) : error;
  }

  async function update(
    id: string,
    patch: ContactPatch,
    plan: Plan,
    signal: AbortSignal | undefined,
    operation: string,
    known?: Contact,
  ): Promise<Contact> {
    let sent = patch;
    if (patch.phone !== undefined && capabilities.changePhone === 'unsupported') {
      const current = known ?? (await get(id, signal, operation));
      if (!current) throw new ContactSyncError({ code: 'not_found', provider, operation });
      if (current.phone !== patch.phone) {
        throw new ContactSyncError({
          code: 'unsupported',
          provider,
          operation,
          message: `[contact-sync] [${provider}] ${operation} failed: unsupported: ${provider} cannot change a contact's phone number`,
        });
      }
      const { phone: _unchanged, ...rest } = patch;
      sent = rest;
    }
    try {
      return sameId(await driver.update(id, sent, plan, { signal }), id, provider, operation);
    } catch (error) {
      throw await namingHolder(error, { phone: sent.phone }, signal);
    }
  }

  /**
   * Writes the input over `existing` unless the vendor already holds exactly it. A `claim` that
   * refuses the contact leaves it untouched: `conflict` with its id, final (never adopted after).
   * A contact found by phone (`found`, not followed by id) that holds another WhatsApp user id
   * than the input's is a `conflict` too: two identities are never merged silently.
   */
  async function adopt(
    existing: Contact,
    input: ContactInput,
    plan: Plan,
    signal: AbortSignal | undefined,
    operation: string,
    claim?: Claim,
    found = true,
  ): Promise<ReconcileResult> {
    if (
      found &&
      input.whatsappUserId !== undefined &&
      existing.whatsappUserId !== undefined &&
      existing.whatsappUserId !== input.whatsappUserId
    ) {
      const mismatch = identityConflict(provider, operation, existing);
      refused.add(mismatch);
      throw mismatch;
    }
    if (claim && !(await claim(existing))) {
      const refusal = new ContactSyncError({
        code: 'conflict',
        provider,
        operation,
        existingId: existing.id,
        retryable: false,
        detail: 'the contact holding this phone belongs to another record',
      });
      refused.add(refusal);
      throw refusal;
    }
    const held = driver.isCurrent?.(existing) ?? true;
    if (held && isUnchanged(plan.projection, existing)) {
      return { action: 'unchanged', contact: existing };
    }
    const contact = await update(existing.id, input, plan, signal, operation, existing);
    // `updated` only when the vendor now holds something else: a write that changed nothing it
    // holds (a field it cannot hold, a value it spells its own way) is `unchanged`.
    return { action: held && sameContact(existing, contact) ? 'unchanged' : 'updated', contact };
  }

  /**
   * One create. The transport retries it without storing it twice (see `Recovery`): an attempt
   * whose answer was lost is followed by a lookup (where the vendor has one) or, on the conflict
   * the next attempt meets, by adopting what the lost one stored. `adopted` says that happened.
   */
  async function createOnce(input: ContactInput, plan: Plan, signal?: AbortSignal, claim?: Claim) {
    let adopted: ReconcileResult['action'] | undefined;
    const identity = lookupIdentity(input);
    const recovery: Recovery<Contact> = {
      lookFirst: cheapLookup(identity),
      async find(recoverySignal) {
        const existing = await findHolder(identity, recoverySignal, 'create');
        if (!existing) return undefined;
        const result = await adopt(existing, input, plan, recoverySignal, 'create', claim);
        adopted = result.action;
        return result.contact;
      },
    };
    const contact = await driver.create(input, plan, { signal, recovery });
    return { contact, adopted };
  }

  async function create(input: ContactInput, plan: Plan, signal?: AbortSignal) {
    try {
      return (await createOnce(input, plan, signal)).contact;
    } catch (error) {
      throw await namingHolder(error, input, signal);
    }
  }

  async function findConflicting(
    error: ContactSyncError,
    input: ContactInput,
    signal?: AbortSignal,
  ) {
    if (error.existingId) {
      const byId = await get(error.existingId, signal, 'upsert');
      if (byId) return byId;
    }
    return findHolder(lookupIdentity(input), signal, 'upsert');
  }

  /**
   * `created` only for a contact this call is known to have made: its create was answered, or
   * its own lookup found the phone free just before. A contact that a retry found after a lost
   * answer may have been there before the run: it is `updated` or `unchanged` (docs/sync.md).
   */
  async function upsert(input: ContactInput, plan: Plan, signal?: AbortSignal, claim?: Claim) {
    let freeBefore = false;
    const identity = lookupIdentity(input);
    if (identity?.field === 'phone' ? upsertLooksFirst : cheapLookup(identity)) {
      const existing = await findHolder(identity, signal, 'upsert');
      if (existing) return adopt(existing, input, plan, signal, 'upsert', claim);
      freeBefore = true;
    }
    try {
      const { contact, adopted } = await createOnce(input, plan, signal, claim);
      const action = adopted && !freeBefore ? adopted : 'created';
      return { action, contact } satisfies UpsertResult;
    } catch (error) {
      if (!isContactSyncError(error) || error.code !== 'conflict' || refused.has(error))
        throw error;
      const existing = await findConflicting(error, input, signal);
      if (!existing) throw error;
      return adopt(existing, input, plan, signal, 'upsert', claim);
    }
  }

  async function reconcile(id: string, input: ContactInput, plan: Plan, signal?: AbortSignal) {
    const current = await get(id, signal, 'reconcile');
    if (!current) {
      throw new ContactSyncError({ code: 'not_found', provider, operation: 'reconcile' });
    }
    // Followed by id (the link): a phone or a BSUID that changed with it is no other contact.
    return adopt(current, input, plan, signal, 'reconcile', undefined, false);
  }

  return { get, findByPhone, findByWhatsAppUserId, findHolder, update, create, upsert, reconcile };
}
