import type { RequestSpec } from '../../src/http.js';
import { phoneForms } from '../../src/redact.js';
import type { DriverCall } from '../../src/store.js';
import type { SmsPartnerContactFields } from './mappers.js';

export interface SmsPartnerAccount {
  apiKey: string;
  groupId: string;
}

type Call = Partial<DriverCall>;

/**
 * The contact requests. The key travels in the JSON body of a POST and in the query of a
 * GET (never a header); the client redacts it wherever a request is shown. Ids go in the body or
 * query, never in the path.
 */
export function smsPartnerRequests(account: SmsPartnerAccount) {
  const { apiKey, groupId } = account;
  const common = (call: Call) => ({ signal: call.signal });
  return {
    add: (contact: SmsPartnerContactFields, call: Call = {}): RequestSpec => ({
      ...common(call),
      operation: 'create',
      method: 'POST',
      path: 'contact/add',
      route: '/contact/add',
      json: { apiKey, groupId, contact },
      sensitive: phoneForms(contact.phoneNumber),
      recovery: call.recovery,
    }),
    /** A bulk add: no `recovery`, a replay is safe (the group refuses a phone it holds, 15). */
    addMany: (contacts: SmsPartnerContactFields[], call: Call = {}): RequestSpec => ({
      ...common(call),
      operation: 'create',
      method: 'POST',
      path: 'contact/add',
      route: '/contact/add',
      json: { apiKey, groupId, contactsList: contacts },
      sensitive: contacts.flatMap((contact) => phoneForms(contact.phoneNumber)),
    }),
    update: (
      contactId: string,
      contact: SmsPartnerContactFields,
      call: Call = {},
    ): RequestSpec => ({
      ...common(call),
      operation: 'update',
      method: 'POST',
      path: 'contact/update',
      route: '/contact/update',
      json: { apiKey, contactId, contact },
      sensitive: phoneForms(contact.phoneNumber),
    }),
    delete: (contactId: string, call: Call = {}): RequestSpec => ({
      ...common(call),
      operation: 'delete',
      method: 'POST',
      path: 'contact/delete',
      route: '/contact/delete',
      json: { apiKey, contactId },
    }),
    detail: (contactId: string, operation: string, call: Call = {}): RequestSpec => ({
      ...common(call),
      operation,
      method: 'GET',
      path: 'contact/detail',
      route: '/contact/detail',
      query: { apiKey, contactId },
    }),
    list: (page: number, operation: string, call: Call = {}, phone?: string): RequestSpec => ({
      ...common(call),
      operation,
      method: 'GET',
      path: 'contact/list',
      route: '/contact/list',
      query: { apiKey, groupId, page },
      sensitive: phoneForms(phone),
    }),
  };
}

export type SmsPartnerRequests = ReturnType<typeof smsPartnerRequests>;
