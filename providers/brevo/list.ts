import type { Contact } from '../../src/contact.js';
import type { ListOptions } from '../../src/contact-store.js';
import type { HttpClient, HttpResponse, RequestSpec } from '../../src/http.js';
import {
  type BrevoContact,
  BrevoContactSchema,
  ContactPageSchema,
  invalidResponse,
  parsed,
} from './api.js';
import { toBrevoError } from './errors.js';
import { fromBrevoContact } from './mappers.js';
import { type CallContext, findByPhoneRequest, getRequest, listRequest } from './requests.js';

export const isSuccess = (response: HttpResponse) =>
  response.status >= 200 && response.status < 300;

/** A contact id as Brevo has them: a positive integer. Anything else names no contact. */
export const isBrevoId = (id: string) => /^[1-9]\d{0,17}$/.test(id);

/** The read side of the driver: one contact by id or by SMS number, every page. */
export function createBrevoReader(
  http: HttpClient,
  reader: ReadonlyMap<string, string>,
  pageSize: number,
) {
  /** One contact of an answer: parsed, or `invalid_response`; `undefined` without an SMS number. */
  function contactOf(body: unknown, spec: RequestSpec): Contact | undefined {
    const contact: BrevoContact = parsed(BrevoContactSchema, body, spec);
    return fromBrevoContact(contact, body, reader);
  }

  /** Sends a lookup: 200 → the contact, 404 → `undefined`. */
  function lookup(spec: RequestSpec): Promise<Contact | undefined> {
    return http.request(spec, (response) => {
      if (response.status === 200) return contactOf(response.body, spec);
      if (response.status === 404) return undefined;
      throw toBrevoError(http, response, spec);
    });
  }

  return {
    contactOf,
    get: (id: string, call: CallContext, operation = 'get') =>
      isBrevoId(id) ? lookup(getRequest(id, operation, call)) : Promise.resolve(undefined),
    findByPhone: (phone: string, call: CallContext, operation = 'findByPhone') =>
      lookup(findByPhoneRequest(phone, operation, call)),

    /**
     * Every contact with an SMS number, oldest first, `offset += limit` until `count` or a short
     * page. A contact seen on an earlier page (one deleted meanwhile shifts the offsets) is not
     * given twice. Email-only contacts are not phone contacts and are skipped.
     */
    async *pages(
      options: ListOptions,
      operation = 'list',
    ): AsyncGenerator<{ contact: BrevoContact; raw: unknown }> {
      const seen = new Set<string>();
      for (let offset = 0; ; offset += pageSize) {
        const spec = listRequest(operation, pageSize, offset, options.signal);
        const page = await http.request(spec, (response) => {
          if (response.status === 200) return parsed(ContactPageSchema, response.body, spec);
          throw toBrevoError(http, response, spec);
        });
        const items = page.contacts ?? [];
        if (items.length > pageSize) throw invalidResponse(spec, 'a page longer than asked');
        for (const raw of items) {
          const contact = parsed(BrevoContactSchema, raw, spec);
          const id = String(contact.id);
          if (seen.has(id)) continue;
          seen.add(id);
          yield { contact, raw };
        }
        const count = page.count ?? undefined;
        if (items.length < pageSize || (count !== undefined && offset + items.length >= count))
          return;
      }
    },

    async *list(options: ListOptions): AsyncGenerator<Contact> {
      for await (const { contact, raw } of this.pages(options)) {
        const common = fromBrevoContact(contact, raw, reader);
        if (common) yield common;
      }
    },
  };
}

export type BrevoReader = ReturnType<typeof createBrevoReader>;
