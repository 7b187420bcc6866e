import type { Contact, ContactInput } from './contact.js';
import type { UpsertManyOptions, UpsertResult } from './contact-store.js';
import { ContactSyncError, invalidInput, isContactSyncError } from './errors.js';
import { identityKey, lookupIdentity } from './identity.js';
import type { ContactStoreDriver, WritePlan } from './store.js';
import { tagged, withWarnings } from './store-checks.js';
import type { Checked } from './store-input.js';
import type { Claim, createWrites } from './store-writes.js';

type Outcome = PromiseSettledResult<UpsertResult>;
type Writes<Plan extends WritePlan> = ReturnType<typeof createWrites<Plan>>;

/** One input of `upsertMany`, checked and planned; `claim` is the caller's for this input. */
export interface ManyItem<Plan extends WritePlan> {
  input: Checked<ContactInput>;
  plan: Plan;
  claim?: Claim;
}

/**
 * `upsertMany` over a driver with `createMany`: every input is looked up (free where the driver
 * keeps an index), a contact found is taken over as `upsert` would (its claim asked first), and
 * the others go in one `createMany`; an input the vendor turns out to hold (`conflict`) is upserted
 * on its own. Below `createManyFrom` new contacts, each is a plain upsert, all at once. One outcome
 * per item, in order; a failure is that item's own.
 */
export async function upsertManyPlanned<Plan extends WritePlan>(
  driver: ContactStoreDriver<Plan>,
  writes: Writes<Plan>,
  items: readonly ManyItem<Plan>[],
  signal: AbortSignal | undefined,
): Promise<Outcome[]> {
  const { provider } = driver;
  const outcomes: Outcome[] = new Array(items.length);
  const settle = async (index: number, body: () => Promise<UpsertResult>) => {
    const { input } = items[index] as ManyItem<Plan>;
    try {
      const result = await body();
      const warnings = [...input.warnings, ...(items[index] as ManyItem<Plan>).plan.warnings];
      const contact = withWarnings(result.contact, warnings);
      outcomes[index] = { status: 'fulfilled', value: { action: result.action, contact } };
    } catch (error) {
      outcomes[index] = { status: 'rejected', reason: tagged(error, provider, 'upsert') };
    }
  };
  const one = (index: number) => {
    const { input, plan, claim } = items[index] as ManyItem<Plan>;
    return settle(index, () => writes.upsert(input.value, plan, signal, claim));
  };
  // The lookups: an input found is upserted (its lookup again answered from the index).
  const fresh: number[] = [];
  await Promise.all(
    items.map(async (item, index) => {
      let found: Contact | undefined;
      try {
        found = await writes.findHolder(lookupIdentity(item.input.value), signal, 'upsert');
      } catch (error) {
        outcomes[index] = { status: 'rejected', reason: tagged(error, provider, 'upsert') };
        return;
      }
      if (found) await one(index);
      else fresh.push(index);
    }),
  );
  const createMany = driver.createMany;
  if (!createMany || fresh.length < Math.max(2, driver.createManyFrom ?? 2)) {
    await Promise.all(fresh.map(one));
    return outcomes;
  }
  fresh.sort((a, b) => a - b);
  let created: PromiseSettledResult<Contact>[];
  try {
    created = await createMany(
      fresh.map((index) => (items[index] as ManyItem<Plan>).input.value),
      fresh.map((index) => (items[index] as ManyItem<Plan>).plan),
      { signal },
    );
  } catch (error) {
    const failure = tagged(error, provider, 'upsert');
    for (const index of fresh) outcomes[index] = { status: 'rejected', reason: failure };
    return outcomes;
  }
  await Promise.all(
    fresh.map((index, position) => {
      const outcome = created[position];
      if (outcome?.status === 'fulfilled') {
        return settle(index, async () => ({ action: 'created', contact: outcome.value }));
      }
      const reason = outcome ? outcome.reason : noOutcome(provider);
      // Held already (a lost answer's import, or a contact the index did not know): upsert it.
      if (isContactSyncError(reason) && reason.code === 'conflict') return one(index);
      return settle(index, () => Promise.reject(reason));
    }),
  );
  return outcomes;
}

/**
 * `upsertMany` of inputs checked one by one by `check` (a bad one is its own rejected outcome), for
 * `defineContactStore` (the public entry checks, the one of ContactSync only plans).
 */
export function upsertManyOf<Plan extends WritePlan>(
  driver: ContactStoreDriver<Plan>,
  writes: Writes<Plan>,
) {
  const { provider } = driver;
  return async function upsertManyValid(
    inputs: unknown,
    check: (input: unknown) => Checked<ContactInput>,
    options: UpsertManyOptions | undefined,
    signal: AbortSignal | undefined,
  ): Promise<PromiseSettledResult<UpsertResult>[]> {
    if (!Array.isArray(inputs)) throw notAnArray(provider);
    const claim = options?.claim;
    if (claim !== undefined && typeof claim !== 'function') {
      throw invalidInput([{ path: 'claim', message: 'expected a function' }], {
        provider,
        operation: 'upsert',
      });
    }
    const outcomes: PromiseSettledResult<UpsertResult>[] = new Array(inputs.length);
    const items: ManyItem<Plan>[] = [];
    const at: number[] = [];
    const checkedInputs = inputs.map((input) => {
      try {
        return check(input);
      } catch (error) {
        return tagged(error, provider, 'upsert');
      }
    });
    for (const [index, item] of distinctPhones(checkedInputs, provider).entries()) {
      try {
        if (item instanceof Error) throw item;
        const plan = driver.plan(item.value, 'create');
        const own = claim && ((existing: Contact) => claim(existing, index));
        items.push({ input: item, plan, ...(own ? { claim: own } : {}) });
        at.push(index);
      } catch (error) {
        outcomes[index] = { status: 'rejected', reason: tagged(error, provider, 'upsert') };
      }
    }
    const settled = await upsertManyPlanned(driver, writes, items, signal);
    for (const [position, outcome] of settled.entries()) outcomes[at[position] as number] = outcome;
    return outcomes;
  };
}

/**
 * Checks the array itself and that no two inputs share a phone (after normalization), or a
 * WhatsApp user id where they have no phone.
 */
export function distinctPhones(
  checked: readonly (Checked<ContactInput> | ContactSyncError)[],
  provider: string,
): (Checked<ContactInput> | ContactSyncError)[] {
  const seen = new Set<string>();
  return checked.map((item, index) => {
    if (item instanceof ContactSyncError) return item;
    const identity = identityKey(item.value) ?? '';
    if (!seen.has(identity)) {
      seen.add(identity);
      return item;
    }
    const field = item.value.phone === undefined ? 'whatsappUserId' : 'phone';
    return invalidInput(
      [{ path: `${index}.${field}`, message: `another input has this ${field}` }],
      {
        provider,
        operation: 'upsert',
      },
    );
  });
}

export function notAnArray(provider: string): ContactSyncError {
  return invalidInput([{ path: 'inputs', message: 'expected an array of contacts' }], {
    provider,
    operation: 'upsert',
  });
}

function noOutcome(provider: string): ContactSyncError {
  return new ContactSyncError({
    code: 'invalid_response',
    provider,
    operation: 'upsert',
    retryable: false,
    detail: 'the bulk create gave no outcome for this contact',
  });
}
