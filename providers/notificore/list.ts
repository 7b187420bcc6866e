import * as v from 'valibot';
import type { Contact } from '../../src/contact.js';
import type { HttpClient, HttpResponse, RequestSpec } from '../../src/http.js';
import { ContactPageSchema, NotificoreContactSchema, parseFieldEntries, totalOf } from './api.js';
import { invalidResponse, isUnknownContact, toNotificoreError } from './errors.js';
import type { FieldResolver } from './fields.js';
import { fromNotificoreContact } from './mappers.js';
import { type CallContext, getSpec, listSpec, searchSpec } from './requests.js';

export const isSuccess = (response: HttpResponse) =>
  response.status >= 200 && response.status < 300;

/** The read side of the driver: one contact by id or phone, every page, a response → Contact. */
export function createNotificoreReader(http: HttpClient, fields: FieldResolver, pageSize: number) {
  /** A contact object of a response, in the common model (loading field names when needed). */
  async function toContact(data: unknown, spec: RequestSpec, phone?: string): Promise<Contact> {
    const parsed = v.safeParse(NotificoreContactSchema, data);
    if (!parsed.success) throw invalidResponse(spec);
    const entries = parseFieldEntries(parsed.output.fields);
    const routing = await fields.routing(fields.needsAccountToRead(entries), spec.signal);
    const contact = fromNotificoreContact(parsed.output, routing.pathOf, data, phone);
    if (!contact.phone) throw invalidResponse(spec);
    return contact;
  }

  /** Names in `fieldMap` are resolved before the first contact request (an invalid_config). */
  async function namesResolved(call: CallContext): Promise<void> {
    await fields.routing(fields.needsAccountToRead([]), call.signal);
  }

  async function get(id: string, call: CallContext, operation = 'get') {
    await namesResolved(call);
    const spec = getSpec(id, operation, call);
    return http.request(spec, async (response) => {
      if (isSuccess(response)) return toContact(envelopeData(response, spec), spec);
      if (isUnknownContact(response)) return undefined;
      throw toNotificoreError(http, response, spec);
    });
  }

  async function findByPhone(phone: string, call: CallContext, operation = 'findByPhone') {
    await namesResolved(call);
    const spec = searchSpec(phone, operation, call);
    return http.request(spec, async (response) => {
      if (!isSuccess(response)) throw toNotificoreError(http, response, spec);
      const page = v.safeParse(ContactPageSchema, response.body);
      if (!page.success) throw invalidResponse(spec);
      const digits = phone.replace(/\D/g, '');
      // `=` should already match exactly; the check guards against a server reading `like`.
      const match = page.output.data.find((item) =>
        v.is(v.object({ phone: v.union([v.number(), v.string()]) }), item)
          ? String(item.phone).replace(/\D/g, '') === digits
          : false,
      );
      return match === undefined ? undefined : toContact(match, spec, phone);
    });
  }

  async function* list(listOptions: { signal?: AbortSignal }): AsyncIterable<Contact> {
    const limit = pageSize;
    await namesResolved(listOptions);
    for (let offset = 0; ; offset += limit) {
      const spec = listSpec(limit, offset, listOptions.signal);
      const page = await http.request(spec, async (response) => {
        if (!isSuccess(response)) throw toNotificoreError(http, response, spec);
        const parsed = v.safeParse(ContactPageSchema, response.body);
        if (!parsed.success) throw invalidResponse(spec);
        const contacts = await Promise.all(parsed.output.data.map((item) => toContact(item, spec)));
        return { contacts, total: totalOf(parsed.output) };
      });
      yield* page.contacts;
      if (page.contacts.length === 0) return;
      const next = offset + limit;
      if (page.total === undefined ? page.contacts.length < limit : next >= page.total) return;
    }
  }

  return { toContact, get, findByPhone, list };
}

function envelopeData(response: HttpResponse, spec: RequestSpec): unknown {
  const body = response.body;
  if (!body || typeof body !== 'object' || !('data' in body)) throw invalidResponse(spec);
  return body.data;
}
