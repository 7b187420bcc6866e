import type { Contact } from '../../src/contact.js';
import type { ListOptions } from '../../src/contact-store.js';
import type { HttpClient } from '../../src/http.js';
import type { CallbellContact } from './api.js';
import { invalidResponse, pageOf, type ReceivedPage } from './api.js';
import { toCallbellError } from './errors.js';
import { type CallbellFieldMap, fromCallbellContact } from './mappers.js';
import { listRequest } from './requests.js';
import { callbellProvider } from './store.js';

/** Contacts per page of `GET /contacts` (inferred, not documented in English). */

type Position = { page: number } | { after: string };

/**
 * Whether a listed contact belongs to the store: a WhatsApp contact (when Callbell says its
 * source) of the configured channel, or of the main channel when none is configured (when the
 * contact carries its `channel`). A contact that says neither is kept: nothing shows it is not.
 */
export function inScope(contact: CallbellContact, channelUuid: string | undefined): boolean {
  if (contact.source && contact.source !== 'whatsapp') return false;
  const channel = contact.channel;
  if (!channel) return true;
  if (channelUuid !== undefined) return !channel.uuid || channel.uuid === channelUuid;
  return channel.main !== false;
}

/**
 * Every contact of the store's channel (see `inScope`), page after page. The cursor `after=<meta.next>` is followed whenever Callbell
 * sends one (page numbers stop at 500); otherwise `page` goes up until an empty page, the last of
 * `meta.pages`, or, without any `meta`, a page shorter than 20. Contacts without a phone number
 * (Messenger, Instagram, Telegram conversations) are not phone contacts and are skipped.
 */
export async function* listCallbellContacts(
  http: HttpClient,
  fieldMap: CallbellFieldMap,
  options: ListOptions,
  channelUuid?: string,
): AsyncGenerator<Contact> {
  const cursors = new Set<string>();
  let position: Position | undefined = { page: 1 };
  while (position) {
    const spec = { ...listRequest(position, channelUuid), signal: options.signal };
    const page = await http.request(spec, (response) => {
      if (response.status >= 200 && response.status < 300) return pageOf(response.body, 'list');
      throw toCallbellError(http, response, spec);
    });
    for (const received of page.contacts) {
      if (!inScope(received.contact, channelUuid)) continue;
      const contact = fromCallbellContact(received, fieldMap);
      if (contact) yield contact;
    }
    position = nextPosition(position, page, cursors);
  }
}

function nextPosition(
  position: Position,
  page: ReceivedPage,
  cursors: Set<string>,
): Position | undefined {
  if (page.contacts.length === 0) return undefined;
  if (page.next !== undefined) {
    // A cursor seen before would loop forever; stopping would drop contacts silently.
    if (cursors.has(page.next))
      throw invalidResponse('list', 'Callbell repeated a pagination cursor');
    cursors.add(page.next);
    return { after: page.next };
  }
  if ('after' in position) return undefined;
  if (page.pages !== undefined)
    return position.page < page.pages ? { page: position.page + 1 } : undefined;
  return page.contacts.length < callbellProvider.pageSize ? undefined : { page: position.page + 1 };
}
