import type { Contact, ContactInput, ContactPatch } from '../../../src/contact.js';
import type { CallOptions, Capabilities, ContactStore } from '../../../src/contact-store.js';
import { ContactSyncError } from '../../../src/errors.js';

const CAPABILITIES: Capabilities = {
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'unsupported',
  findByPhone: 'native',
  upsert: 'emulated',
  changePhone: 'native',
  tags: 'native',
  assignedUser: 'native',
};

/**
 * A test-only ContactStore over HTTP to `startVendorServer`: one request per call, no retry, and
 * an upsert that looks the phone up first, so a contact written by a killed run is found again.
 */
export function createHttpContactStore(provider: string, baseUrl: string): ContactStore {
  async function call(
    operation: string,
    method: string,
    path: string,
    body?: unknown,
    options?: CallOptions,
  ): Promise<{ status: number; value: Record<string, unknown> | undefined }> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options?.signal,
      });
    } catch (error) {
      throw new ContactSyncError({ code: 'network', provider, operation, cause: error });
    }
    const text = await response.text();
    const value = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    if (response.status === 404) {
      throw new ContactSyncError({ code: 'not_found', provider, operation, status: 404 });
    }
    if (response.status === 409) {
      throw new ContactSyncError({
        code: 'conflict',
        provider,
        operation,
        status: 409,
        existingId: String(value?.existingId),
      });
    }
    if (response.status >= 400) {
      throw new ContactSyncError({
        code: 'provider_error',
        provider,
        operation,
        status: response.status,
      });
    }
    return { status: response.status, value };
  }

  const toContact = (value: Record<string, unknown> | undefined): Contact => {
    const { id, phone, ...fields } = value ?? {};
    return { ...fields, id: String(id), phone: String(phone), provider, warnings: [], raw: value };
  };
  const path = (id: string) => `/contacts/${encodeURIComponent(id)}`;
  const orUndefined = async (run: () => Promise<Contact>) => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ContactSyncError && error.code === 'not_found') return undefined;
      throw error;
    }
  };

  const store: ContactStore = {
    provider,
    capabilities: CAPABILITIES,
    create: async (input, options) =>
      toContact((await call('create', 'POST', '/contacts', input, options)).value),
    update: async (id, patch: ContactPatch, options) =>
      toContact((await call('update', 'PATCH', path(id), patch, options)).value),
    get: (id, options) =>
      orUndefined(async () =>
        toContact((await call('get', 'GET', path(id), undefined, options)).value),
      ),
    findByPhone: (phone, options) =>
      orUndefined(async () =>
        toContact(
          (
            await call(
              'findByPhone',
              'GET',
              `/contacts?phone=${encodeURIComponent(phone)}`,
              undefined,
              options,
            )
          ).value,
        ),
      ),
    delete: async (id, options) => {
      await call('delete', 'DELETE', path(id), undefined, options);
    },
    async *list() {
      yield* [];
      throw new ContactSyncError({ code: 'unsupported', provider, operation: 'list' });
    },
    async upsert(input: ContactInput, options) {
      const existing = await store.findByPhone(input.phone!, options);
      if (existing)
        return { action: 'updated', contact: await store.update(existing.id, input, options) };
      try {
        return { action: 'created', contact: await store.create(input, options) };
      } catch (error) {
        if (!(error instanceof ContactSyncError) || error.code !== 'conflict' || !error.existingId)
          throw error;
        return { action: 'updated', contact: await store.update(error.existingId, input, options) };
      }
    },
    preview(operation) {
      return {
        method: operation === 'create' ? 'POST' : 'PATCH',
        url: `${baseUrl}/contacts`,
        headers: {},
      };
    },
  };
  return store;
}
