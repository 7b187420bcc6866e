import { scopedSignal } from './abort.js';
import { CHECKED_WRITES, type CheckedWrites } from './checked-writes.js';
import type { Contact, ContactInput, ContactPatch, Warning } from './contact.js';
import type {
  CallOptions,
  Capabilities,
  ContactStore,
  HttpRequestPreview,
  ListOptions,
  PreviewOperation,
} from './contact-store.js';
import { invalidInput } from './errors.js';
import { fingerprintOf } from './fingerprint.js';
import {
  holdsWhatsAppUserId,
  identityOf,
  phoneRequired,
  whatsappUserIdIgnored,
  whatsappUserIdUnsupported,
} from './identity.js';
import type { Recovery } from './retry.js';
import { signalOf, tagged, unsupportedUnless, withWarnings } from './store-checks.js';
import { type Checked, validators } from './store-input.js';
import { listAll } from './store-list.js';
import { upsertManyOf } from './store-many.js';
import { type Claim, createWrites } from './store-writes.js';

export { isUnchanged, reportUnmapped } from './store-checks.js';

/** What an adapter passes to each driver call. */
export interface DriverCall {
  /** The caller's signal: pass it on to every request (`RequestSpec.signal`). */
  signal?: AbortSignal | undefined;
  /**
   * On `create` only: how to retry it without storing it twice. Put it on the create request
   * (`RequestSpec.recovery`): the transport then retries that request safely.
   */
  recovery?: Recovery<Contact> | undefined;
}

/**
 * One write, mapped once by the driver: the request body it will send (the driver's own fields),
 * the warnings of the input, and the projection `upsert` and `reconcile` compare with what the
 * vendor holds. The same plan serves the check, the request and the comparison.
 */
export interface WritePlan {
  /** Values this vendor cannot hold as given: put on the result. */
  readonly warnings: Warning[];
  /**
   * The input as this vendor would hold it, in the common model (`from(to(input))`): fields it
   * cannot hold are absent (a key present with `undefined` is skipped too; use `''` or `[]` to
   * say "must be empty").
   */
  readonly projection: ContactPatch;
  /**
   * Optional: what this plan sends, as the vendor's own fields, computed from the input and the
   * options alone — never from what the store learned at run time (field types, an account's
   * field list) — so the same input gives the same value in every process. The fingerprint
   * (design §13) hashes it; default: the projection, which suits a driver whose projection
   * depends on the input and options only.
   */
  readonly sent?: unknown | undefined;
}

/**
 * The vendor-specific half of a store. Inputs arrive validated, with the phone in E.164; the
 * driver maps (once, in `plan`), sends and parses. `defineContactStore` adds everything the
 * vendors share.
 */
export interface ContactStoreDriver<Plan extends WritePlan = WritePlan> {
  /** The vendor's name, e.g. `'callbell'`: the store's `provider`. */
  readonly provider: string;
  /** What the store can do, and how: the store's `capabilities`. */
  readonly capabilities: Capabilities;
  /**
   * True when `findByPhone` is emulated but answers from an index the driver keeps (one pass over
   * the contacts per run) rather than a request per lookup: `upsert` then looks up before it
   * creates, as it does where the vendor has a native lookup. Default: false.
   */
  readonly indexedLookup?: boolean | undefined;
  /**
   * Optional: the store options that change what is sent (its `fieldMap`, `listIds`, a channel…)
   * and a version of the driver's mapping code, as any JSON value. It is part of every
   * fingerprint (design §13), so a change of either makes the next push resend instead of
   * trusting the remembered state. Bump the version when the mapping code changes. Default: none
   * (a change of options that leaves the projection alike is then not seen: use `verify`).
   */
  readonly mapping?: unknown | undefined;
  /**
   * Maps a validated input or patch to this vendor's fields, once per write. Throws
   * `invalid_input` for what only this vendor refuses (lengths, unmapped fields with
   * `onUnmapped: 'error'`, through `reportUnmapped`); runs before any request.
   */
  plan(input: ContactPatch, operation: 'create' | 'update'): Plan;
  /** Sends `plan`; the create request carries `call.recovery` (see `DriverCall`). */
  create(input: ContactInput, plan: Plan, call: DriverCall): Promise<Contact>;
  /**
   * Optional: creates contacts the lookups did not find, in bulk: one outcome per input, in order;
   * a `conflict` outcome (the vendor held the phone after all) is upserted on its own. With it the
   * store gets `upsertMany`. Inputs arrive validated and planned, phones distinct. A bulk request
   * carries no `recovery`: it must be safe to replay (the vendor refuses a phone it holds).
   */
  createMany?(
    inputs: readonly ContactInput[],
    plans: readonly Plan[],
    call: DriverCall,
  ): Promise<PromiseSettledResult<Contact>[]>;
  /**
   * The fewest new contacts worth a `createMany`; fewer are created one by one, at once.
   * Default: 2. A bulk call that costs a second request to learn the ids pays later.
   */
  readonly createManyFrom?: number | undefined;
  /**
   * Sends `plan` as an update of contact `id` (already validated) and resolves the whole contact
   * as the vendor now holds it; rejects `not_found` for an unknown id.
   */
  update(id: string, patch: ContactPatch, plan: Plan, call: DriverCall): Promise<Contact>;
  /** The contact `id`, or `undefined` when the vendor has none. The answer must be about `id`. */
  get(id: string, call: DriverCall): Promise<Contact | undefined>;
  /**
   * The contact holding `phone` (already E.164), or `undefined`. An answer with another phone is
   * refused as `invalid_response`.
   */
  findByPhone(phone: string, call: DriverCall): Promise<Contact | undefined>;
  /**
   * Optional, where the vendor can look a contact up by WhatsApp user id (declare
   * `capabilities.identity: ['phone', 'whatsappUserId']`): the contact holding it (exact,
   * case-sensitive), or `undefined`. An answer with another id is refused as `invalid_response`.
   * The store then gets `findByWhatsAppUserId`, and `upsert` of a phone-less input looks up by it.
   */
  findByWhatsAppUserId?(whatsappUserId: string, call: DriverCall): Promise<Contact | undefined>;
  /** Deletes contact `id` (already validated); rejects `not_found` for an unknown id. */
  delete(id: string, call: DriverCall): Promise<void>;
  /** Every contact, following every page, stopping after `options.limit` when given. */
  list(options: ListOptions): AsyncIterable<Contact>;
  /**
   * Optional: false when the vendor holds something outside the common model that a write would
   * set right although every common field already matches (Notificore: a configured list the
   * contact is not in). `upsert` and `reconcile` then write instead of answering `unchanged`.
   */
  isCurrent?(existing: Contact): boolean;
  /** The request `plan` would send (`undefined` for a delete); sends nothing. */
  preview(operation: PreviewOperation, plan: Plan | undefined, id?: string): HttpRequestPreview;
}

/** What `defineContactStore` needs besides the driver (from `setUpAdapter`). */
export interface StoreSettings {
  /** ISO 3166 alpha-2 country for numbers written without a country code. Default: none. */
  defaultCountry?: string | undefined;
}

/**
 * Builds a `ContactStore` from a driver: validation before any request (once: `ContactSync`
 * hands its checked input over `CHECKED_WRITES`), phone normalization, errors tagged with provider
 * and operation, answers checked to be about the id asked, duplicate-free creates, `upsert`.
 */
export function defineContactStore<Plan extends WritePlan>(
  driver: ContactStoreDriver<Plan>,
  settings: StoreSettings,
): ContactStore {
  const { provider } = driver;
  // Every store says what identifies its contacts: `['phone']` unless the driver says more.
  const capabilities: Capabilities = Object.freeze({
    ...driver.capabilities,
    identity: Object.freeze([...identityOf(driver.capabilities)]),
  });
  const takesWhatsAppUserId = holdsWhatsAppUserId(capabilities);
  const writes = createWrites(driver);

  /** Runs one call under its own signal (one listener on the caller's), errors tagged. */
  async function run<T>(
    operation: string,
    options: CallOptions | undefined,
    body: (signal?: AbortSignal) => Promise<T>,
  ): Promise<T> {
    let scope: ReturnType<typeof scopedSignal> | undefined;
    try {
      scope = scopedSignal(signalOf(options, operation));
      return await body(scope.signal);
    } catch (error) {
      throw tagged(error, provider, operation);
    } finally {
      scope?.release();
    }
  }

  const validators_ = validators(provider, settings);
  const { validId, validPhone, validWhatsAppUserId } = validators_;

  /** A WhatsApp user id given to a store that cannot hold one is a warning, never a silent drop. */
  function withIdentityWarnings<T extends ContactPatch>(checked: Checked<T>): Checked<T> {
    if (checked.value.whatsappUserId === undefined || takesWhatsAppUserId) return checked;
    return { ...checked, warnings: [...checked.warnings, whatsappUserIdUnsupported(provider)] };
  }

  /**
   * An input this store can hold: one without a phone is `unsupported` naming `phone` where the
   * store needs one (before any request).
   */
  function identified(checked: Checked<ContactInput>, operation: string): Checked<ContactInput> {
    if (checked.value.phone === undefined && !takesWhatsAppUserId) {
      throw phoneRequired(provider, operation);
    }
    return withIdentityWarnings(checked);
  }
  const validInput = (input: unknown, operation: string) =>
    identified(validators_.validInput(input, operation), operation);
  const validPatch = (patch: unknown, operation: string) =>
    withIdentityWarnings(validators_.validPatch(patch, operation));
  const fromRecord = (input: ContactInput, operation: string) =>
    identified(validators_.fromRecord(input), operation);

  /** The driver's plan of a checked input, its warnings after the input's own (an extension). */
  function planOf<T extends ContactPatch>(checked: Checked<T>, operation: 'create' | 'update') {
    const plan = driver.plan(checked.value, operation);
    return { plan, warnings: [...checked.warnings, ...plan.warnings] };
  }

  /** A WhatsApp user id the vendor did not keep as given is said, never dropped silently. */
  function keptWhatsAppUserId(contact: Contact, given: ContactPatch): Contact {
    if (!takesWhatsAppUserId || given.whatsappUserId === undefined) return contact;
    if (contact.whatsappUserId === given.whatsappUserId) return contact;
    return withWarnings(contact, [whatsappUserIdIgnored(provider)]);
  }

  async function upsertValid(
    input: Checked<ContactInput>,
    signal: AbortSignal | undefined,
    claim: unknown,
  ) {
    if (claim !== undefined && typeof claim !== 'function') {
      throw invalidInput([{ path: 'claim', message: 'expected a function' }], {
        provider,
        operation: 'upsert',
      });
    }
    const { plan, warnings } = planOf(input, 'create');
    const result = await writes.upsert(input.value, plan, signal, claim as Claim | undefined);
    const contact = keptWhatsAppUserId(result.contact, input.value);
    return { action: result.action, contact: withWarnings(contact, warnings) };
  }

  async function reconcileValid(
    id: unknown,
    input: () => Checked<ContactInput>,
    signal?: AbortSignal,
  ) {
    unsupportedUnless(capabilities.update, provider, 'reconcile');
    const validatedId = validId(id, 'reconcile');
    const checked = input();
    const { plan, warnings } = planOf(checked, 'create');
    const result = await writes.reconcile(validatedId, checked.value, plan, signal);
    const contact = keptWhatsAppUserId(result.contact, checked.value);
    return { action: result.action, contact: withWarnings(contact, warnings) };
  }

  const upsertManyValid = upsertManyOf(driver, writes);

  /** The fingerprint of a checked input: its plan's stable form, the provider, the mapping. */
  function fingerprintValid(checked: Checked<ContactInput>) {
    const { plan, warnings } = planOf(checked, 'create');
    return {
      fingerprint: fingerprintOf(provider, plan.sent ?? plan.projection, driver.mapping),
      warnings,
    };
  }

  /** The writes of an input `ContactSync` has already checked (schema and phone): planned only. */
  const checked: CheckedWrites = {
    upsert: (input, options) =>
      run('upsert', options, (signal) =>
        upsertValid(fromRecord(input, 'upsert'), signal, options?.claim),
      ),
    reconcile: (id, input, options) =>
      run('reconcile', options, (signal) =>
        reconcileValid(id, () => fromRecord(input, 'reconcile'), signal),
      ),
    project: (input) => driver.plan(validators_.fromRecord(input).value, 'create').projection,
    fingerprint: (input) => {
      try {
        return fingerprintValid(fromRecord(input, 'fingerprint'));
      } catch (error) {
        throw tagged(error, provider, 'fingerprint');
      }
    },
    ...(driver.createMany
      ? {
          upsertMany: (inputs, options) =>
            run('upsert', options, (signal) =>
              upsertManyValid(
                inputs,
                (input) => fromRecord(input as ContactInput, 'upsert'),
                options,
                signal,
              ),
            ),
        }
      : {}),
  };

  const store: ContactStore = {
    provider,
    capabilities,
    create: (input, options) =>
      run('create', options, async (signal) => {
        unsupportedUnless(capabilities.create, provider, 'create');
        const checked = validInput(input, 'create');
        const { plan, warnings } = planOf(checked, 'create');
        const contact = keptWhatsAppUserId(
          await writes.create(checked.value, plan, signal),
          checked.value,
        );
        return withWarnings(contact, warnings);
      }),
    update: (id, patch, options) =>
      run('update', options, async (signal) => {
        unsupportedUnless(capabilities.update, provider, 'update');
        const validatedId = validId(id, 'update');
        const checked = validPatch(patch, 'update');
        const { plan, warnings } = planOf(checked, 'update');
        const contact = await writes.update(validatedId, checked.value, plan, signal, 'update');
        return withWarnings(keptWhatsAppUserId(contact, checked.value), warnings);
      }),
    get: (id, options) =>
      run('get', options, (signal) => writes.get(validId(id, 'get'), signal, 'get')),
    findByPhone: (phone, options) =>
      run('findByPhone', options, (signal) =>
        writes.findByPhone(validPhone(phone, 'findByPhone'), signal, 'findByPhone'),
      ),
    delete: (id, options) =>
      run('delete', options, async (signal) => {
        unsupportedUnless(capabilities.delete, provider, 'delete');
        await driver.delete(validId(id, 'delete'), { signal });
      }),
    reconcile: (id, input, options) =>
      run('reconcile', options, (signal) =>
        reconcileValid(id, () => validInput(input, 'reconcile'), signal),
      ),
    list: (options) => listAll(driver, options ?? {}),
    upsert: (input, options) =>
      run('upsert', options, (signal) =>
        upsertValid(validInput(input, 'upsert'), signal, options?.claim),
      ),
    fingerprint: (input) => {
      try {
        return fingerprintValid(validInput(input, 'fingerprint')).fingerprint;
      } catch (error) {
        throw tagged(error, provider, 'fingerprint');
      }
    },
    preview: (operation, input, id) => {
      try {
        if (operation === 'create') {
          return driver.preview('create', planOf(validInput(input, 'preview'), 'create').plan);
        }
        const validatedId = validId(id, 'preview');
        if (operation === 'delete') return driver.preview('delete', undefined, validatedId);
        const { plan } = planOf(validPatch(input, 'preview'), 'update');
        return driver.preview('update', plan, validatedId);
      } catch (error) {
        throw tagged(error, provider, 'preview');
      }
    },
  };
  if (driver.findByWhatsAppUserId) {
    store.findByWhatsAppUserId = (whatsappUserId, options) =>
      run('findByWhatsAppUserId', options, (signal) =>
        writes.findByWhatsAppUserId(
          validWhatsAppUserId(whatsappUserId, 'findByWhatsAppUserId'),
          signal,
          'findByWhatsAppUserId',
        ),
      );
  }
  if (driver.createMany) {
    store.upsertMany = (inputs, options) =>
      run('upsert', options, (signal) =>
        upsertManyValid(inputs, (input) => validInput(input, 'upsert'), options, signal),
      );
  }
  // Not enumerable: a spread or a log of the store does not show it; `Symbol.for` finds it
  // across copies of the library.
  Object.defineProperty(store, CHECKED_WRITES, { value: checked, enumerable: false });
  return store;
}
