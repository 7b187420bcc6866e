import * as v from 'valibot';
import { setUpAdapter } from '../../src/adapter.js';
import type { Contact } from '../../src/contact.js';
import type { Capabilities, ContactStore } from '../../src/contact-store.js';
import { invalidInput, isContactSyncError } from '../../src/errors.js';
import type { HttpResponse, RequestSpec } from '../../src/http.js';
import { defineOptOuts, withOptOuts } from '../../src/opt-outs.js';
import { parseOptions } from '../../src/options.js';
import { defineProvider } from '../../src/provider-definition.js';
import {
  type ContactStoreDriver,
  type DriverCall,
  defineContactStore,
  reportUnmapped,
  type WritePlan,
} from '../../src/store.js';
import { SmsPartnerContactResponseSchema, SmsPartnerListResponseSchema } from './api.js';
import { smsPartnerBulkAdd } from './bulk.js';
import { readSmsPartnerBody } from './errors.js';
import { issuePathFor, resolveFieldMapping } from './fields.js';
import { listSmsPartnerPages, type SmsPartnerPager } from './list.js';
import {
  fromSmsPartnerContact,
  projectSmsPartnerFields,
  type SmsPartnerContactFields,
  toSmsPartnerContact,
} from './mappers.js';
import { smsPartnerOptOuts } from './opt-outs.js';
import { type SmsPartnerOptions, SmsPartnerOptionsSchema } from './options.js';
import { createSmsPartnerPhoneIndex } from './phone-index.js';
import { present, rawContact, readSideOf } from './records.js';
import { smsPartnerRequests } from './requests.js';

/** SMS Partner's API v1: no documented rate; 20 contacts per page of a group; 500 per bulk add. */
export const smsPartnerProvider = defineProvider<SmsPartnerOptions>({
  name: 'smspartner',
  baseUrl: 'https://api.smspartner.fr/v1',
  pageSize: 20,
  bulkSize: 500,
  create: createSmsPartnerContactStore,
});

const PROVIDER = smsPartnerProvider.name;

export type { SmsPartnerOptions } from './options.js';

/** What an SMS Partner store can do, and how (its `capabilities`). */
export const SMS_PARTNER_CAPABILITIES: Capabilities = {
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'native',
  // No lookup endpoint: the store scans the group's pages (20 contacts per request).
  findByPhone: 'emulated',
  upsert: 'emulated',
  changePhone: 'native',
  tags: 'unsupported',
  assignedUser: 'unsupported',
  // The account's STOP list (stop-sms/list|add|delete).
  optOut: 'native',
  // `contactsList`: up to 500 contacts per request; the ids are learned from the group after.
  upsertMany: 'native',
  // A contact is a phone in a group: one without a phone is refused (`unsupported`).
  identity: ['phone'],
};

/** One SMS Partner write, mapped once (see `WritePlan`): the `contact` object it sends. */
interface SmsPartnerPlan extends WritePlan {
  contact: SmsPartnerContactFields;
}

/** A `ContactStore` over one SMS Partner group. Throws `invalid_config` naming a bad option. */
export function createSmsPartnerContactStore(options: SmsPartnerOptions): ContactStore {
  const parsed = parseOptions(SmsPartnerOptionsSchema, options, PROVIDER);
  const mapping = resolveFieldMapping(parsed.fieldMap, PROVIDER);
  const { http, settings } = setUpAdapter(parsed as SmsPartnerOptions, smsPartnerProvider, {
    secrets: () => [parsed.apiKey],
  });
  const requests = smsPartnerRequests(parsed);
  const issuePathOf = issuePathFor(mapping);

  /** Checks the envelope, parses the payload; `body` is the JSON as received. */
  function read<TSchema extends v.GenericSchema>(
    spec: RequestSpec,
    response: HttpResponse,
    schema: TSchema,
  ) {
    const body = readSmsPartnerBody(http, spec, response, issuePathOf);
    const result = v.safeParse(schema, body);
    if (!result.success) {
      throw http.failure(response, spec, { code: 'invalid_response', retryable: false });
    }
    return { value: result.output as v.InferOutput<TSchema>, body };
  }

  /** Sends with retries and reads the answer. */
  function send<TSchema extends v.GenericSchema>(spec: RequestSpec, schema: TSchema) {
    return http.request(spec, (response) => read(spec, response, schema));
  }

  const index = createSmsPartnerPhoneIndex((record) =>
    fromSmsPartnerContact(record, mapping, record),
  );

  /** Sends; a `not_found` means the group changed under the index (dropped), a 15 marks `phone`. */
  async function watched<T>(request: Promise<T>, phone?: string): Promise<T> {
    try {
      return await request;
    } catch (error) {
      if (isContactSyncError(error) && error.code === 'not_found') index.drop();
      if (isContactSyncError(error) && error.code === 'conflict' && phone) index.suspect(phone);
      throw error;
    }
  }

  async function detail(id: string, operation: string, call: DriverCall): Promise<Contact> {
    const { value, body } = await watched(
      send(requests.detail(id, operation, call), SmsPartnerContactResponseSchema),
    );
    // Only an answer about `id` is indexed (the core refuses another one).
    if (value.contact.contactId === id) index.put(value.contact);
    return fromSmsPartnerContact(value.contact, mapping, rawContact(body));
  }

  const pager = (operation: string, call: DriverCall, phone?: string): SmsPartnerPager => ({
    provider: PROVIDER,
    operation,
    read: (page) => send(requests.list(page, operation, call, phone), SmsPartnerListResponseSchema),
    toContact: (record, raw) => fromSmsPartnerContact(record, mapping, raw),
  });

  const driver: ContactStoreDriver<SmsPartnerPlan> = {
    provider: PROVIDER,
    capabilities: SMS_PARTNER_CAPABILITIES,
    // One pass over the group, then lookups from memory: `upsert` looks up before it creates.
    indexedLookup: true,
    // What changes the writes besides the input (design §13): a change resends every contact.
    mapping: { version: 1, groupId: parsed.groupId, fieldMap: parsed.fieldMap ?? {} },
    plan(input, operation) {
      const { contact, warnings, issues } = toSmsPartnerContact(input, mapping);
      if (issues.length) throw invalidInput(issues, { provider: PROVIDER, operation });
      return {
        contact,
        warnings: reportUnmapped(warnings, parsed.onUnmapped, { provider: PROVIDER, operation }),
        projection: projectSmsPartnerFields(contact, mapping),
      };
    },
    async create(input, { contact }, call) {
      // The echo holds what was sent plus `contactId`; what it leaves out is what we sent.
      const spec = requests.add(contact, call);
      const request = http.request(spec, (response) => {
        const { value, body } = read(spec, response, SmsPartnerContactResponseSchema);
        const echoed = { ...contact, ...present(value.contact) };
        index.put(readSideOf(echoed), false);
        return fromSmsPartnerContact(echoed, mapping, rawContact(body));
      });
      // A 15 for a phone the index lacks: its next lookup searches the group.
      return watched(request, input.phone);
    },
    async update(id, _patch, { contact }, call) {
      // Nothing SMS Partner holds changes (every value was unmapped): only read the contact.
      if (!Object.keys(contact).length) return detail(id, 'update', call);
      await watched(send(requests.update(id, contact, call), v.unknown()));
      // The update echoes only the fields sent. Where the index holds the contact as read, what
      // the vendor now holds is that record with these fields; otherwise read it back.
      const record = index.patch(id, contact);
      if (record) return fromSmsPartnerContact(record, mapping, record);
      return detail(id, 'update', call);
    },
    async get(id, call) {
      try {
        return await detail(id, 'get', call);
      } catch (error) {
        if (isContactSyncError(error) && error.code === 'not_found') return undefined;
        throw error;
      }
    },
    createMany: smsPartnerBulkAdd({
      http,
      requests,
      index,
      groupId: parsed.groupId,
      pager,
      toContact: (record) => fromSmsPartnerContact(record, mapping, record),
    }),
    // A bulk add costs a second request (the group's end) for the ids, and a round trip more
    // than single adds sent at once: it pays from about ten new contacts.
    createManyFrom: 10,
    findByPhone: (phone, call) => index.find(phone, pager('findByPhone', call, phone)),
    async delete(id, call) {
      await watched(send(requests.delete(id, call), v.unknown()));
      index.forget(id);
    },
    list: (options) => listSmsPartnerPages(pager('list', { signal: options.signal })),
    preview(operation, plan, id = '') {
      if (operation === 'create' && plan) return http.preview(requests.add(plan.contact));
      if (operation === 'update' && plan) return http.preview(requests.update(id, plan.contact));
      return http.preview(requests.delete(id));
    },
  };
  const optOuts = smsPartnerOptOuts(http, parsed.apiKey, issuePathOf);
  return withOptOuts(
    defineContactStore(driver, settings),
    defineOptOuts(PROVIDER, optOuts, settings),
  );
}
