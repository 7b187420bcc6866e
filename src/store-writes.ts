import type { Contact, ContactInput, ContactPatch } from './contact.js';
import type { ReconcileResult, UpsertResult } from './contact-store.js';
import { ContactSyncError, isContactSyncError } from './errors.js';
import type { Recovery } from './retry.js';
import type { ContactStoreDriver, WritePlan } from './store.js';
import { isUnchanged, sameId, withExistingId } from './store-checks.js';

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
    if (found && found.phone !== phone) {
      throw new ContactSyncError({
        code: 'invalid_response',
        provider,
        operation,
        retryable: false,
        message: `[contact-sync] [${provider}] ${operation} failed: invalid_response: the vendor answered a lookup with another phone number`,
      });
    }
    return found;
  }

  /** A `conflict` names the contact that holds the phone, where the vendor can look it up. */
  async function namingHolder(error: unknown, phone: string | undefined, signal?: AbortSignal) {
    if (!isContactSyncError(error) || error.code !== 'conflict' || error.existingId) return error;
    if (!phone || !lookupFirst) return error;
    const holder = await findByPhone(phone, signal, error.operation ?? 'create').catch(
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
      throw await namingHolder(error, sent.phone, signal);
    }
  }

  /**
   * Writes the input over `existing` unless the vendor already holds exactly it. A `claim` that
   * refuses the contact leaves it untouched: `conflict` with its id, final (never adopted after).
   */
  async function adopt(
    existing: Contact,
    input: ContactInput,
    plan: Plan,
    signal: AbortSignal | undefined,
    operation: string,
    claim?: Claim,
  ): Promise<ReconcileResult> {
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
    const current =
      isUnchanged(plan.projection, existing) && (driver.isCurrent?.(existing) ?? true);
    if (current) return { action: 'unchanged', contact: existing };
    const contact = await update(existing.id, input, plan, signal, operation, existing);
    return { action: 'updated', contact };
  }

  /**
   * One create. The transport retries it without storing it twice (see `Recovery`): an attempt
   * whose answer was lost is followed by a lookup (where the vendor has one) or, on the conflict
   * the next attempt meets, by adopting what the lost one stored. `adopted` says that happened.
   */
  async function createOnce(input: ContactInput, plan: Plan, signal?: AbortSignal, claim?: Claim) {
    let adopted: ReconcileResult['action'] | undefined;
    const recovery: Recovery<Contact> = {
      lookFirst: lookupFirst,
      async find(recoverySignal) {
        const existing = await findByPhone(input.phone, recoverySignal, 'create');
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
      throw await namingHolder(error, input.phone, signal);
    }
  }

  async function findConflicting(error: ContactSyncError, phone: string, signal?: AbortSignal) {
    if (error.existingId) {
      const byId = await get(error.existingId, signal, 'upsert');
      if (byId) return byId;
    }
    return findByPhone(phone, signal, 'upsert');
  }

  /**
   * `created` only for a contact this call is known to have made: its create was answered, or
   * its own lookup found the phone free just before. A contact that a retry found after a lost
   * answer may have been there before the run: it is `updated` or `unchanged` (docs/sync.md).
   */
  async function upsert(input: ContactInput, plan: Plan, signal?: AbortSignal, claim?: Claim) {
    let freeBefore = false;
    if (upsertLooksFirst) {
      const existing = await findByPhone(input.phone, signal, 'upsert');
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
      const existing = await findConflicting(error, input.phone, signal);
      if (!existing) throw error;
      return adopt(existing, input, plan, signal, 'upsert', claim);
    }
  }

  async function reconcile(id: string, input: ContactInput, plan: Plan, signal?: AbortSignal) {
    const current = await get(id, signal, 'reconcile');
    if (!current) {
      throw new ContactSyncError({ code: 'not_found', provider, operation: 'reconcile' });
    }
    return adopt(current, input, plan, signal, 'reconcile');
  }

  return { get, findByPhone, update, create, upsert, reconcile };
}
