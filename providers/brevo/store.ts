import { setUpAdapter } from '../../src/adapter.js';
import type { ContactStore } from '../../src/contact-store.js';
import { defineOptOuts, withOptOuts } from '../../src/opt-outs.js';
import { defineProvider } from '../../src/provider-definition.js';
import { defineContactStore } from '../../src/store.js';
import { createAttributeCache } from './attributes.js';
import { createBrevoDriver } from './driver.js';
import { createBrevoReader } from './list.js';
import { readerOf } from './mappers.js';
import { brevoOptOuts } from './opt-outs.js';
import { type BrevoOptions, DEFAULT_PAGE_SIZE, parseBrevoOptions } from './options.js';

/**
 * Brevo's Contacts API: its base URL, the 10 requests per second its general plan allows on
 * `/v3/contacts/*` (a third-party transcription of its table; raise `rateLimit` on an Advanced or
 * Extended plan), 500 contacts per page (1000 at most).
 */
export const brevoProvider = defineProvider<BrevoOptions>({
  name: 'brevo',
  baseUrl: 'https://api.brevo.com/v3',
  requestsPerSecond: 10,
  pageSize: DEFAULT_PAGE_SIZE,
  create: createBrevoContactStore,
});

/**
 * A `ContactStore` over Brevo's contacts: one contact per SMS number (the `SMS` attribute, looked
 * up with `identifierType=phone_id`), names and custom fields as attributes (`fieldMap`; first and
 * last name default to `FIRSTNAME` and `LASTNAME`), `listIds` for membership, `smsBlacklisted` as
 * its opt-out, Brevo's import for `upsertMany`. Throws `invalid_config` for bad options.
 */
export function createBrevoContactStore(options: BrevoOptions): ContactStore {
  const parsed = parseBrevoOptions(options);
  const { http, settings } = setUpAdapter(parsed, brevoProvider, {
    secrets: () => [parsed.apiKey],
    headers: { 'api-key': parsed.apiKey },
  });
  const attributes = createAttributeCache(http);
  const driver = createBrevoDriver(http, attributes, parsed);
  const store = defineContactStore(driver, settings);
  const reader = createBrevoReader(http, readerOf(parsed.fieldMap), parsed.pageSize);
  return withOptOuts(store, defineOptOuts('brevo', brevoOptOuts(http, reader), settings));
}
