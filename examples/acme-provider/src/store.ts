import {
  type Capabilities,
  type Contact,
  type ContactStore,
  type ContactStoreDriver,
  ContactSyncError,
  type DriverCall,
  defineContactStore,
  defineProvider,
  type HttpResponse,
  phoneOf,
  type RequestSpec,
  reportUnmapped,
  setUpAdapter,
  type WritePlan,
} from 'contact-sync/provider';
import { type AcmeContact, contactOf, pageOf } from './api.js';
import { toAcmeError } from './errors.js';
import { type AcmeFields, fromAcmeContact, projectAcmeFields, toAcmeFields } from './mappers.js';
import { type AcmeOptions, parseAcmeOptions } from './options.js';
import {
  createRequest,
  deleteRequest,
  findByPhoneRequest,
  getRequest,
  listRequest,
  updateRequest,
} from './requests.js';

/** Acme Contacts: its base URL, its documented 20 requests per second, 25 contacts per page. */
export const acmeProvider = defineProvider<AcmeOptions>({
  name: 'acme',
  baseUrl: 'https://api.acme-contacts.test/v2',
  requestsPerSecond: 20,
  pageSize: 25,
  create: createAcmeContactStore,
});

const provider = acmeProvider.name;

const capabilities: Capabilities = {
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'native',
  findByPhone: 'native',
  upsert: 'native',
  changePhone: 'native',
  tags: 'unsupported',
  assignedUser: 'unsupported',
  // Acme keeps contacts by phone: a phone-less input is refused (`unsupported` naming `phone`).
  identity: ['phone'],
};

/** One write, mapped once: the body Acme is sent, its warnings, and what `upsert` compares. */
interface AcmePlan extends WritePlan {
  fields: AcmeFields;
}

/** A `ContactStore` over Acme's contacts API. Throws `invalid_config` for bad options. */
export function createAcmeContactStore(options: AcmeOptions): ContactStore {
  const parsed = parseAcmeOptions(options);
  const { http, settings } = setUpAdapter(parsed, acmeProvider, {
    secrets: () => [parsed.apiKey],
    headers: { 'x-api-key': parsed.apiKey },
  });

  /** Sends `spec`; a 2xx is read by `read`, a 404 by `missing` when given, the rest is an error. */
  function send<T>(
    spec: RequestSpec,
    call: DriverCall,
    read: (response: HttpResponse) => T,
    missing?: () => T,
  ): Promise<T> {
    // `call.recovery` is set on a create: the client then retries it without storing it twice.
    return http.request({ ...spec, signal: call.signal, recovery: call.recovery }, (response) => {
      if (response.status >= 200 && response.status < 300) return read(response);
      if (response.status === 404 && missing) return missing();
      throw toAcmeError(http, response, spec);
    });
  }

  const toContact = (received: AcmeContact, operation: string): Contact => {
    const contact = fromAcmeContact(received);
    if (contact) return contact;
    throw new ContactSyncError({
      code: 'invalid_response',
      provider,
      operation,
      retryable: false,
      detail: 'Acme answered a contact without a phone number',
    });
  };
  const one = (operation: string) => (response: HttpResponse) =>
    toContact(contactOf(response.body, operation), operation);

  const driver: ContactStoreDriver<AcmePlan> = {
    provider,
    capabilities,
    plan(input, operation) {
      const { value, warnings } = toAcmeFields(input);
      return {
        fields: value,
        warnings: reportUnmapped(warnings, parsed.onUnmapped, { provider, operation }),
        projection: projectAcmeFields(value),
      };
    },
    create: (input, plan, call) =>
      send(createRequest(plan.fields, phoneOf(input, provider, 'create')), call, one('create')),
    update: (id, _patch, plan, call) => send(updateRequest(id, plan.fields), call, one('update')),
    get: (id, call) => send(getRequest(id), call, one('get'), () => undefined),
    async findByPhone(phone, call) {
      const page = await send(findByPhoneRequest(phone), call, (response) =>
        pageOf(response.body, 'findByPhone'),
      );
      const match = page.data.find((contact) => contact.phone === phone);
      return match && toContact(match, 'findByPhone');
    },
    delete: (id, call) => send(deleteRequest(id), call, () => undefined),
    async *list(listOptions) {
      let after: string | undefined;
      do {
        const page = await send(
          listRequest(acmeProvider.pageSize, after),
          { signal: listOptions.signal },
          (response) => pageOf(response.body, 'list'),
        );
        for (const contact of page.data) yield toContact(contact, 'list');
        after = page.next ?? undefined;
      } while (after);
    },
    preview(operation, plan, id = '') {
      if (operation === 'delete' || !plan) return http.preview(deleteRequest(id));
      if (operation === 'update') return http.preview(updateRequest(id, plan.fields));
      return http.preview(createRequest(plan.fields, plan.fields.phone ?? ''));
    },
  };

  return defineContactStore(driver, settings);
}
