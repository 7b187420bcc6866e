import * as v from 'valibot';
import { setUpAdapter } from '../../src/adapter.js';
import type { ContactStore } from '../../src/contact-store.js';
import type { HttpClient, HttpResponse, RequestSpec } from '../../src/http.js';
import { defineOptOuts, withOptOuts } from '../../src/opt-outs.js';
import { defineProvider } from '../../src/provider-definition.js';
import { defineContactStore } from '../../src/store.js';
import { FieldListSchema, LoginSchema } from './api.js';
import { createNotificoreAuth } from './auth.js';
import { createNotificoreDriver } from './driver.js';
import { invalidResponse, toNotificoreError } from './errors.js';
import { type AccountField, createFieldResolver } from './fields.js';
import { notificoreOptOuts } from './opt-outs.js';
import {
  DEFAULT_OPT_OUT_TYPES,
  DEFAULT_PAGE_SIZE,
  type NotificoreOptions,
  parseNotificoreOptions,
} from './options.js';
import { fieldsSpec, loginSpec } from './requests.js';

/** Notificore API 2.0 ("One-API"), where the contact book lives; no documented rate. */
export const notificoreProvider = defineProvider<NotificoreOptions>({
  name: 'notificore',
  baseUrl: 'https://one-api.notificore.ru',
  pageSize: DEFAULT_PAGE_SIZE,
  create: createNotificoreContactStore,
});

/**
 * A `ContactStore` over Notificore's contact book (API 2.0): logs in with the API key for a JWT,
 * keeps it, and logs in again once when a request answers 401. Only the phone is native; every
 * other value goes to a custom field through `fieldMap`. Throws `invalid_config` for bad options.
 */
export function createNotificoreContactStore(options: NotificoreOptions): ContactStore {
  const parsed = parseNotificoreOptions(options);
  // The login is sent through the store's own client (redaction, hooks, timeout), built below.
  let http: HttpClient | undefined;
  const auth = createNotificoreAuth(parsed.apiKey, () => login(http as HttpClient, parsed.apiKey));
  const adapter = setUpAdapter(parsed, notificoreProvider, {
    secrets: auth.secrets,
    authorize: auth.authorize,
  });
  http = adapter.http;
  const client = adapter.http;
  const fields = createFieldResolver(parsed.fieldMap ?? {}, () => accountFields(client));
  const driver = {
    ...createNotificoreDriver(client, fields, {
      listIds: parsed.listIds,
      onUnmapped: parsed.onUnmapped,
      pageSize: parsed.pageSize ?? DEFAULT_PAGE_SIZE,
    }),
    // What changes the writes besides the input (design §13): a change resends every contact.
    mapping: { version: 1, fieldMap: parsed.fieldMap ?? {}, listIds: parsed.listIds ?? [] },
  };
  const optOuts = notificoreOptOuts(client, parsed.optOutTypes ?? DEFAULT_OPT_OUT_TYPES);
  const store = defineContactStore(driver, adapter.settings);
  return withOptOuts(store, defineOptOuts('notificore', optOuts, adapter.settings));
}

/**
 * `POST /api/auth/login` → the JWT. A refused key (401/403/other 4xx) or no `bearer` is
 * unauthorized; 408, 429 and 5xx are the vendor's passing trouble.
 */
async function login(http: HttpClient, apiKey: string): Promise<string> {
  const spec = loginSpec(apiKey);
  const response = await http.send(spec);
  // 408, 429 and 5xx say nothing about the key: they map by status (the calling request retries).
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw http.failure(response, spec);
  }
  const body = v.safeParse(LoginSchema, response.body);
  if (response.status >= 200 && response.status < 300 && body.success) return body.output.bearer;
  throw refusedLogin(http, response, spec);
}

function refusedLogin(http: HttpClient, response: HttpResponse, spec: RequestSpec) {
  return http.failure(response, spec, { code: 'unauthorized', retryable: false });
}

/** `GET /api/contacts/fields`: the account's custom fields, for `fieldMap` names. */
async function accountFields(http: HttpClient): Promise<AccountField[]> {
  const spec = fieldsSpec('fields');
  return http.request(spec, (response) => {
    if (response.status !== 200) throw toNotificoreError(http, response, spec);
    const body = v.safeParse(FieldListSchema, response.body);
    if (!body.success) throw invalidResponse(spec);
    return body.output.data.map((field) => ({ id: Number(field.id), name: field.name }));
  });
}
