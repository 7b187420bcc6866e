import * as v from 'valibot';
import { setUpAdapter } from '../../src/adapter.js';
import type { Contact } from '../../src/contact.js';
import type { Capabilities, ContactStore } from '../../src/contact-store.js';
import { invalidInput, isContactSyncError } from '../../src/errors.js';
import type { HttpResponse, RequestSpec } from '../../src/http.js';
import { defineOptOuts, withOptOuts } from '../../src/opt-outs.js';
import {
  type CommonOptions,
  commonOptionEntries,
  parseOptions,
  secretSchema,
} from '../../src/options.js';
import { defineProvider } from '../../src/provider-definition.js';
import {
  type ContactStoreDriver,
  type DriverCall,
  defineContactStore,
  reportUnmapped,
  type WritePlan,
} from '../../src/store.js';
import { SmsPartnerContactResponseSchema, SmsPartnerListResponseSchema } from './api.js';
import { readSmsPartnerBody } from './errors.js';
import { issuePathFor, resolveFieldMapping } from './fields.js';
import { findSmsPartnerContact, listSmsPartnerPages, type SmsPartnerPager } from './list.js';
import {
  fromSmsPartnerContact,
  projectSmsPartnerFields,
  type SmsPartnerContactFields,
  toSmsPartnerContact,
} from './mappers.js';
import { smsPartnerOptOuts } from './opt-outs.js';
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

export interface SmsPartnerOptions extends CommonOptions {
  /**
   * The account's API key (my.smspartner.fr → API). Sent in the JSON body of POST requests and
   * in the query string of GET requests; shown as `[redacted]` everywhere. Required.
   */
  apiKey: string;
  /**
   * The group (contact list) this store reads and writes. SMS Partner keeps each contact inside
   * one group, and a phone number is unique per group only. Required.
   */
  groupId: string;
}

const SmsPartnerOptionsSchema = v.strictObject({
  ...commonOptionEntries,
  apiKey: secretSchema,
  groupId: v.pipe(v.string('expected a string'), v.minLength(1, 'required'), v.maxLength(256)),
});

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

  async function detail(id: string, operation: string, call: DriverCall): Promise<Contact> {
    const { value, body } = await send(
      requests.detail(id, operation, call),
      SmsPartnerContactResponseSchema,
    );
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
    plan(input, operation) {
      const { contact, warnings, issues } = toSmsPartnerContact(input, mapping);
      if (issues.length) throw invalidInput(issues, { provider: PROVIDER, operation });
      return {
        contact,
        warnings: reportUnmapped(warnings, parsed.onUnmapped, { provider: PROVIDER, operation }),
        projection: projectSmsPartnerFields(contact, mapping),
      };
    },
    async create(_input, { contact }, call) {
      // The echo holds what was sent plus `contactId`; what it leaves out is what we sent.
      const spec = requests.add(contact, call);
      return http.request(spec, (response) => {
        const { value, body } = read(spec, response, SmsPartnerContactResponseSchema);
        const echoed = { ...contact, ...present(value.contact) };
        return fromSmsPartnerContact(echoed, mapping, rawContact(body));
      });
    },
    async update(id, _patch, { contact }, call) {
      // Nothing SMS Partner holds changes (every value was unmapped): only read the contact.
      if (Object.keys(contact).length) await send(requests.update(id, contact, call), v.unknown());
      // The update echoes only the fields sent: read the whole contact back (one more request).
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
    findByPhone: (phone, call) =>
      findSmsPartnerContact(
        pager('findByPhone', call, phone),
        (contact) => contact.phone === phone,
      ),
    async delete(id, call) {
      await send(requests.delete(id, call), v.unknown());
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

function rawContact(body: unknown): unknown {
  return (body as { contact?: unknown }).contact;
}

/** The keys of a parsed record that hold a value. */
function present<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined && value !== null),
  ) as Partial<T>;
}
