import { abortError } from './abort.js';
import type { Contact, ContactInput, ContactPatch, Warning } from './contact.js';
import { ContactIdSchema, ContactInputSchema, ContactPatchSchema } from './contact-schema.js';
import type {
  CallOptions,
  Capabilities,
  ContactStore,
  HttpRequestPreview,
  ListOptions,
  PreviewOperation,
  ReconcileResult,
  UpsertResult,
} from './contact-store.js';
import { ContactSyncError, invalidInput, isContactSyncError } from './errors.js';
import { extensionWarnings, normalizePhone } from './phone.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { parseWith } from './validation.js';

/** What an adapter passes to each driver call. */
export interface DriverCall {
  signal?: AbortSignal;
  /** `false` on a create attempt: the store makes its retries safe and drives them itself. */
  retry: boolean;
}

/**
 * The vendor-specific half of a store. Inputs arrive validated, with the phone in E.164; the
 * driver maps, sends and parses. `defineContactStore` adds everything the vendors share.
 */
export interface ContactStoreDriver {
  readonly provider: string;
  readonly capabilities: Capabilities;
  /**
   * Checks what only this vendor constrains (lengths, unmapped fields with `onUnmapped: 'error'`,
   * through `reportUnmapped`) and throws `invalid_input`; runs before any request. Returns the
   * warnings of the input (values this vendor cannot hold): the store puts them on the result.
   */
  check(input: ContactPatch, operation: 'create' | 'update'): Warning[];
  create(input: ContactInput, call: DriverCall): Promise<Contact>;
  update(id: string, patch: ContactPatch, call: DriverCall): Promise<Contact>;
  get(id: string, call: DriverCall): Promise<Contact | undefined>;
  findByPhone(phone: string, call: DriverCall): Promise<Contact | undefined>;
  delete(id: string, call: DriverCall): Promise<void>;
  list(options: ListOptions): AsyncIterable<Contact>;
  preview(operation: PreviewOperation, input: ContactPatch, id?: string): HttpRequestPreview;
  /**
   * The input as this vendor would hold it, in the common model (`from(to(input))`): fields it
   * cannot hold are absent (a key present with `undefined` is skipped too; use `''` or `[]` to
   * say "must be empty"). `upsert` compares this with the stored contact to report `unchanged`.
   */
  project(input: ContactInput): ContactPatch;
  /**
   * Optional: false when the vendor holds something outside the common model that a write would
   * set right although every common field already matches (Notificore: a configured list the
   * contact is not in). `upsert` and `reconcile` then write instead of answering `unchanged`.
   */
  isCurrent?(existing: Contact): boolean;
}

export interface StoreSettings {
  defaultCountry?: string;
  retry: RetryPolicy;
}

/**
 * Builds a `ContactStore` from a driver: validation before any request, phone normalization (once
 * per call), errors tagged with provider and operation, duplicate-free create retries, `upsert`.
 */
export function defineContactStore(
  driver: ContactStoreDriver,
  settings: StoreSettings,
): ContactStore {
  const { provider, capabilities } = driver;

  async function run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw tagged(error, provider, operation);
    }
  }

  function validInput(input: unknown, operation: string): Checked<ContactInput> {
    const parsed = parseWith(ContactInputSchema, input, (issues) =>
      invalidInput(issues, { provider, operation }),
    ) as ContactInput;
    const value = { ...parsed, phone: normalizePhone(parsed.phone, settings) };
    const warnings = [
      ...extensionWarnings(parsed.phone, settings),
      ...driver.check(value, 'create'),
    ];
    return { value, warnings };
  }

  function validPatch(patch: unknown, operation: string): Checked<ContactPatch> {
    const parsed = parseWith(ContactPatchSchema, patch, (issues) =>
      invalidInput(issues, { provider, operation }),
    ) as ContactPatch;
    const value =
      parsed.phone === undefined
        ? parsed
        : { ...parsed, phone: normalizePhone(parsed.phone, settings) };
    const warnings = [
      ...extensionWarnings(parsed.phone, settings),
      ...driver.check(value, 'update'),
    ];
    return { value, warnings };
  }

  function validId(id: unknown, operation: string): string {
    return parseWith(ContactIdSchema, id, (issues) =>
      invalidInput(
        issues.map((issue) => ({ ...issue, path: 'id' })),
        { provider, operation },
      ),
    );
  }

  function validPhone(phone: unknown, operation: string): string {
    if (typeof phone !== 'string') {
      throw invalidInput([{ path: 'phone', message: 'expected string' }], { provider, operation });
    }
    return normalizePhone(phone, settings);
  }

  function isCurrent(input: ContactInput, existing: Contact): boolean {
    return isUnchanged(driver.project(input), existing) && (driver.isCurrent?.(existing) ?? true);
  }

  /** Writes `input` over `existing` unless the vendor already holds exactly it. */
  async function adopt(
    existing: Contact,
    input: ContactInput,
    call: DriverCall,
  ): Promise<UpsertResult> {
    if (isCurrent(input, existing)) return { action: 'unchanged', contact: existing };
    return { action: 'updated', contact: await driver.update(existing.id, input, call) };
  }

  /**
   * One create, retried only where a retry cannot make a second contact: after an attempt that may
   * have reached the vendor, the next one first looks the phone up (where the vendor can), and a
   * conflict on a retry adopts the contact that attempt stored.
   */
  async function createOnce(input: ContactInput, signal?: AbortSignal): Promise<Contact> {
    let mayExist = false;
    const lookupFirst = capabilities.findByPhone === 'native';
    return withRetry(
      async () => {
        if (mayExist && lookupFirst) {
          const existing = await driver.findByPhone(input.phone, { signal, retry: true });
          if (existing) return (await adopt(existing, input, { signal, retry: true })).contact;
        }
        try {
          return await driver.create(input, { signal, retry: false });
        } catch (error) {
          if (isContactSyncError(error) && error.code === 'conflict' && mayExist) {
            const existing = await findConflicting(error, input.phone, signal);
            if (existing) return (await adopt(existing, input, { signal, retry: true })).contact;
          }
          if (mayHaveReachedVendor(error)) mayExist = true;
          throw error;
        }
      },
      { policy: settings.retry, signal },
    );
  }

  async function findConflicting(
    error: ContactSyncError,
    phone: string,
    signal?: AbortSignal,
  ): Promise<Contact | undefined> {
    const call = { signal, retry: true };
    if (error.existingId) {
      const byId = await driver.get(error.existingId, call);
      if (byId) return byId;
    }
    return driver.findByPhone(phone, call);
  }

  async function upsertValid(input: ContactInput, signal?: AbortSignal): Promise<UpsertResult> {
    const call = { signal, retry: true };
    if (capabilities.findByPhone === 'native') {
      const existing = await driver.findByPhone(input.phone, call);
      if (existing) return adopt(existing, input, call);
    }
    try {
      return { action: 'created', contact: await createOnce(input, signal) };
    } catch (error) {
      if (!isContactSyncError(error) || error.code !== 'conflict') throw error;
      const existing = await findConflicting(error, input.phone, signal);
      if (!existing) throw error;
      return adopt(existing, input, call);
    }
  }

  async function updateValid(
    id: string,
    patch: ContactPatch,
    signal?: AbortSignal,
    known?: Contact,
  ) {
    const call = { signal, retry: true };
    if (patch.phone !== undefined && capabilities.changePhone === 'unsupported') {
      const current = known ?? (await driver.get(id, call));
      if (!current)
        throw new ContactSyncError({ code: 'not_found', provider, operation: 'update' });
      if (current.phone !== patch.phone) {
        throw new ContactSyncError({
          code: 'unsupported',
          provider,
          operation: 'update',
          message: `[contact-sync] [${provider}] update failed: unsupported: ${provider} cannot change a contact's phone number`,
        });
      }
      const { phone: _unchanged, ...rest } = patch;
      return driver.update(id, rest, call);
    }
    return driver.update(id, patch, call);
  }

  async function reconcileValid(
    id: string,
    input: ContactInput,
    signal?: AbortSignal,
  ): Promise<ReconcileResult> {
    const current = await driver.get(id, { signal, retry: true });
    if (!current)
      throw new ContactSyncError({ code: 'not_found', provider, operation: 'reconcile' });
    if (isCurrent(input, current)) return { action: 'unchanged', contact: current };
    return { action: 'updated', contact: await updateValid(id, input, signal, current) };
  }

  const store: ContactStore = {
    provider,
    capabilities,
    create: (input, options) =>
      run('create', async () => {
        unsupportedUnless(capabilities.create, provider, 'create');
        const { value, warnings } = validInput(input, 'create');
        return withWarnings(await createOnce(value, signalOf(options)), warnings);
      }),
    update: (id, patch, options) =>
      run('update', async () => {
        unsupportedUnless(capabilities.update, provider, 'update');
        const validatedId = validId(id, 'update');
        const { value, warnings } = validPatch(patch, 'update');
        return withWarnings(await updateValid(validatedId, value, signalOf(options)), warnings);
      }),
    get: (id, options) => run('get', async () => driver.get(validId(id, 'get'), callOf(options))),
    findByPhone: (phone, options) =>
      run('findByPhone', async () =>
        driver.findByPhone(validPhone(phone, 'findByPhone'), callOf(options)),
      ),
    delete: (id, options) =>
      run('delete', async () => {
        unsupportedUnless(capabilities.delete, provider, 'delete');
        await driver.delete(validId(id, 'delete'), callOf(options));
      }),
    reconcile: (id, input, options) =>
      run('reconcile', async () => {
        unsupportedUnless(capabilities.update, provider, 'reconcile');
        const validatedId = validId(id, 'reconcile');
        const { value, warnings } = validInput(input, 'reconcile');
        const result = await reconcileValid(validatedId, value, signalOf(options));
        return { action: result.action, contact: withWarnings(result.contact, warnings) };
      }),
    list: (options) => listAll(driver, options ?? {}),
    upsert: (input, options) =>
      run('upsert', async () => {
        const { value, warnings } = validInput(input, 'upsert');
        const result = await upsertValid(value, signalOf(options));
        return { action: result.action, contact: withWarnings(result.contact, warnings) };
      }),
    preview: (operation, input, id) => {
      try {
        if (operation === 'create') {
          return driver.preview('create', validInput(input, 'preview').value);
        }
        const validatedId = validId(id, 'preview');
        if (operation === 'delete') return driver.preview('delete', {}, validatedId);
        return driver.preview('update', validPatch(input, 'preview').value, validatedId);
      } catch (error) {
        throw tagged(error, provider, 'preview');
      }
    },
  };
  return store;
}

interface Checked<T> {
  value: T;
  warnings: Warning[];
}

function withWarnings(contact: Contact, warnings: Warning[]): Contact {
  return { ...contact, warnings: [...warnings, ...contact.warnings] };
}

async function* listAll(driver: ContactStoreDriver, options: ListOptions): AsyncIterable<Contact> {
  let count = 0;
  if (typeof options !== 'object') {
    throw invalidInput([{ path: 'options', message: 'expected an object { limit, signal }' }], {
      provider: driver.provider,
      operation: 'list',
    });
  }
  signalOf(options, 'list');
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw invalidInput([{ path: 'limit', message: 'expected a whole number ≥ 0' }], {
      provider: driver.provider,
      operation: 'list',
    });
  }
  if (options.limit === 0) return;
  try {
    for await (const contact of driver.list(options)) {
      yield contact;
      count += 1;
      if (options.limit !== undefined && count >= options.limit) return;
    }
  } catch (error) {
    throw tagged(error, driver.provider, 'list');
  }
}

/**
 * True when every field the vendor would hold from `projected` already has that value in
 * `existing`. Empty strings and absent values are the same; tags compare as sets; keys whose
 * projected value is `undefined` are not compared.
 */
export function isUnchanged(projected: ContactPatch, existing: ContactPatch): boolean {
  for (const [key, value] of Object.entries(projected) as [keyof ContactPatch, unknown][]) {
    if (value === undefined) continue;
    const current = existing[key];
    if (key === 'tags') {
      const wanted = new Set((value as string[] | undefined) ?? []);
      const held = new Set((current as string[] | undefined) ?? []);
      if (wanted.size !== held.size || [...wanted].some((tag) => !held.has(tag))) return false;
    } else if (key === 'customFields') {
      const held = (current as Record<string, string> | undefined) ?? {};
      for (const [field, fieldValue] of Object.entries((value as Record<string, string>) ?? {})) {
        if ((held[field] ?? '') !== fieldValue) return false;
      }
    } else if ((value ?? '') !== (current ?? '')) {
      return false;
    }
  }
  return true;
}

/**
 * Network errors, timeouts and retryable vendor failures (5xx, or a vendor's own "try again" code
 * on HTTP 200): the vendor may have acted on the request.
 */
function mayHaveReachedVendor(error: unknown): boolean {
  if (!isContactSyncError(error)) return false;
  return (
    error.code === 'network' ||
    error.code === 'timeout' ||
    (error.code === 'provider_error' && error.retryable)
  );
}

function unsupportedUnless(support: string, provider: string, operation: string): void {
  if (support === 'unsupported') {
    throw new ContactSyncError({ code: 'unsupported', provider, operation });
  }
}

function signalOf(options?: CallOptions, operation?: string): AbortSignal | undefined {
  const signal = options?.signal;
  // Anything else in `signal` would reach fetch and fail there as a misleading network error.
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidInput([{ path: 'signal', message: 'expected an AbortSignal' }], { operation });
  }
  if (signal?.aborted) throw abortError(signal);
  return signal;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

function callOf(options?: CallOptions): DriverCall {
  return { signal: signalOf(options), retry: true };
}

/** Attaches the provider and operation to errors that lack them; wraps anything unexpected. */
function tagged(error: unknown, provider: string, operation: string): ContactSyncError {
  if (isContactSyncError(error)) {
    if (error.provider && error.operation) return error;
    return new ContactSyncError({
      code: error.code,
      provider: error.provider ?? provider,
      operation: error.operation ?? operation,
      status: error.status,
      providerCode: error.providerCode,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      existingId: error.existingId,
      issues: error.issues,
      cause: error.cause,
    });
  }
  return new ContactSyncError({
    code: 'invalid_response',
    provider,
    operation,
    retryable: false,
    cause: error instanceof Error ? new Error(error.message.slice(0, 200)) : undefined,
  });
}

/** Warnings for values a vendor cannot hold, or `invalid_input` with `onUnmapped: 'error'`. */
export function reportUnmapped(
  warnings: Warning[],
  onUnmapped: 'warn' | 'error' | undefined,
  context: { provider: string; operation: string },
): Warning[] {
  if (onUnmapped !== 'error') return warnings;
  const blocking = warnings.filter((warning) => warning.reason !== 'truncated');
  if (blocking.length) {
    throw invalidInput(
      blocking.map((warning) => ({ path: warning.field, message: warning.message })),
      context,
    );
  }
  return warnings;
}
