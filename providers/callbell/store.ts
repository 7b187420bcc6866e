import { setUpAdapter } from '../../src/adapter.js';
import type { Contact, ContactPatch } from '../../src/contact.js';
import type { Capabilities, ContactStore } from '../../src/contact-store.js';
import { ContactSyncError } from '../../src/errors.js';
import type { HttpResponse, RequestSpec } from '../../src/http.js';
import { phoneOf } from '../../src/identity.js';
import { defineOptOuts, withOptOuts } from '../../src/opt-outs.js';
import { defineProvider } from '../../src/provider-definition.js';
import {
  type ContactStoreDriver,
  type DriverCall,
  defineContactStore,
  reportUnmapped,
  type WritePlan,
} from '../../src/store.js';
import { contactOf, invalidResponse, type ReceivedContact } from './api.js';
import { toCallbellError } from './errors.js';
import { listCallbellContacts } from './list.js';
import {
  type CallbellFields,
  callbellCreateBody,
  composeName,
  fromCallbellContact,
  projectCallbellFields,
  toCallbellFields,
} from './mappers.js';
import { callbellOptOuts } from './opt-outs.js';
import { type CallbellOptions, parseCallbellOptions } from './options.js';
import {
  createRequest,
  deleteRequest,
  findByPhoneRequest,
  getRequest,
  updateRequest,
} from './requests.js';
import { createTypedFields } from './typed-fields.js';

/** Callbell: its documented base URL, its 300 requests per second (429 above), 20 per page. */
export const callbellProvider = defineProvider<CallbellOptions>({
  name: 'callbell',
  baseUrl: 'https://api.callbell.eu/v1',
  requestsPerSecond: 300,
  pageSize: 20,
  create: createCallbellContactStore,
});

const provider = callbellProvider.name;

const capabilities: Capabilities = {
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'native',
  findByPhone: 'native',
  upsert: 'native',
  // The phone number (the WhatsApp identifier) is immutable since Callbell's 2023-03-03 release.
  changePhone: 'unsupported',
  tags: 'native',
  assignedUser: 'native',
  // Read only: a contact that blocked the number carries `blockedAt`; there is no list to write.
  optOut: 'read',
  identity: ['phone'],
};

/** One Callbell write, mapped once (see `WritePlan`). */
interface CallbellPlan extends WritePlan {
  fields: CallbellFields;
  sources?: Record<string, string>;
  phone?: string;
}

/** A `ContactStore` over Callbell's contacts API (WhatsApp contacts of one channel). */
export function createCallbellContactStore(options: CallbellOptions): ContactStore {
  const parsed = parseCallbellOptions(options);
  const { fieldMap, channelUuid, apiToken } = parsed;
  const { http, settings } = setUpAdapter(parsed, callbellProvider, {
    secrets: () => [apiToken],
    headers: { authorization: `Bearer ${apiToken}` },
  });
  const typedFields = createTypedFields(http, fieldMap, channelUuid);

  /** Sends `spec`; a 2xx is read by `read`, a 404 by `missing` when given, the rest is an error. */
  function send<T>(
    spec: RequestSpec,
    read: (response: HttpResponse) => T | Promise<T>,
    missing?: () => T,
  ): Promise<T> {
    return http.request(spec, (response) => {
      if (response.status >= 200 && response.status < 300) return read(response);
      if (response.status === 404 && missing) return missing();
      throw toCallbellError(http, response, spec);
    });
  }

  const withCall = (spec: RequestSpec, call: DriverCall): RequestSpec => ({
    ...spec,
    signal: call.signal,
  });

  function toContact(
    received: ReceivedContact | undefined,
    operation: string,
  ): Contact | undefined {
    if (!received) return undefined;
    const contact = fromCallbellContact(received, fieldMap);
    if (!contact) throw invalidResponse(operation, 'the contact has no phone number');
    return contact;
  }

  const readContact = (operation: string) => (response: HttpResponse) =>
    toContact(contactOf(response.body, operation), operation);

  const get = (id: string, call: DriverCall, operation = 'get') =>
    send(withCall(getRequest(id, operation), call), readContact(operation), () => undefined);

  const findByPhone = (phone: string, call: DriverCall, operation = 'findByPhone') =>
    send(
      withCall(findByPhoneRequest(phone, channelUuid, operation), call),
      readContact(operation),
      () => undefined,
    );

  /** Reads back a contact that a write answered without (Callbell's bodies are unconfirmed). */
  async function current(id: string, call: DriverCall, operation: string): Promise<Contact> {
    const contact = await get(id, { signal: call.signal }, operation);
    if (!contact) throw new ContactSyncError({ code: 'not_found', provider, operation });
    return contact;
  }

  /**
   * A patch with only one of first and last name must not rename the contact to that part alone:
   * the other part is read from the contact when `fieldMap` keeps it in a custom field; when it
   * does not, Callbell's `name` is left as it is.
   */
  async function completeComposedName(
    id: string,
    patch: ContactPatch,
    fields: CallbellFields,
    call: DriverCall,
  ): Promise<void> {
    if (patch.name || (patch.firstName === undefined) === (patch.lastName === undefined)) return;
    const other = patch.firstName === undefined ? 'firstName' : 'lastName';
    if (fieldMap[other] === undefined) {
      delete fields.name;
      return;
    }
    const held = await current(id, call, 'update');
    fields.name = composeName(patch.firstName ?? held.firstName, patch.lastName ?? held.lastName);
    if (!fields.name) delete fields.name;
  }

  const driver: ContactStoreDriver<CallbellPlan> = {
    provider,
    capabilities,
    // What changes the writes besides the input (design §13): a change resends every contact.
    mapping: { version: 1, fieldMap, channelUuid: channelUuid ?? null },
    plan(input, operation) {
      typedFields.check(input, operation);
      const { value, warnings, sources } = toCallbellFields(input, fieldMap);
      let projection: ContactPatch | undefined;
      return {
        fields: value,
        sources,
        phone: input.phone,
        // The fields as mapped, before typing by the account's field types (read at run time).
        sent: { ...value, phone: input.phone },
        warnings: reportUnmapped(warnings, parsed.onUnmapped, { provider, operation }),
        // Built when compared: the field types may be read by then (a checkbox value compares
        // in the spelling reading gives back).
        get projection() {
          projection ??= projectCallbellFields(value, input.phone, fieldMap, typedFields.known());
          return projection;
        },
      };
    },
    get,
    findByPhone,
    async create(input, plan, call) {
      const phone = phoneOf(input, provider, 'create');
      const fields = await typedFields.typed(plan.fields, plan.sources, call, 'create');
      const body = callbellCreateBody(fields, phone, channelUuid);
      const spec = { ...withCall(createRequest(body, phone), call), recovery: call.recovery };
      const created = await send(spec, readContact('create'));
      if (created) return created;
      const stored = await findByPhone(phone, { signal: call.signal }, 'create');
      if (!stored) throw invalidResponse('create', 'Callbell answered without the contact');
      return stored;
    },
    async update(id, patch, plan, call) {
      // A copy (`typed` returns one): completing the name must not change the plan upsert reuses.
      const fields = { ...(await typedFields.typed(plan.fields, plan.sources, call, 'update')) };
      await completeComposedName(id, patch, fields, call);
      // Nothing Callbell holds changes (only unmapped fields): read the contact instead.
      if (Object.keys(fields).length === 0) return current(id, call, 'update');
      const updated = await send(withCall(updateRequest(id, fields), call), readContact('update'));
      return updated ?? current(id, call, 'update');
    },
    async delete(id, call) {
      await send(withCall(deleteRequest(id), call), () => undefined);
    },
    list: (listOptions) => listCallbellContacts(http, fieldMap, listOptions, channelUuid),
    preview(operation, plan, id = '') {
      if (operation === 'delete' || !plan) return http.preview(deleteRequest(id));
      const fields = typedFields.previewed(plan.fields, plan.sources);
      if (operation === 'update') return http.preview(updateRequest(id, fields));
      const phone = plan.phone ?? '';
      return http.preview(createRequest(callbellCreateBody(fields, phone, channelUuid), phone));
    },
  };

  const store = defineContactStore(driver, settings);
  return withOptOuts(store, defineOptOuts(provider, callbellOptOuts(store), settings));
}
