import type { Contact } from '../../src/contact.js';
import { ContactSyncError } from '../../src/errors.js';
import {
  SMS_PARTNER_PAGE_SIZE,
  type SmsPartnerListResponse,
  type SmsPartnerRecord,
} from './api.js';

export interface SmsPartnerPager {
  provider: string;
  operation: string;
  /** One `contact/list` page (1-based), parsed, with the JSON body as sent. */
  read(page: number): Promise<{ value: SmsPartnerListResponse; body: unknown }>;
  toContact(record: SmsPartnerRecord, raw: unknown): Contact;
}

/**
 * Every contact of the group, page after page (20 per page). Stops on an empty or short page, or
 * once `total` contacts were read (`total` is a string, and may be absent; see below). A row seen on an
 * earlier page (the group shifted under a deletion) is not yielded twice; a full page of rows
 * already seen means the vendor ignores `page`, an `invalid_response` rather than an endless loop.
 */
export async function* listSmsPartnerPages(
  pager: SmsPartnerPager,
  options: { trustTotal?: boolean } = {},
): AsyncIterable<Contact> {
  const trustTotal = options.trustTotal ?? true;
  const seen = new Set<string>();
  for (let page = 1; ; page += 1) {
    const { value, body } = await pager.read(page);
    const rows = value.datas ?? [];
    const rawRows = (body as { datas?: unknown[] }).datas ?? [];
    const fresh = rows.filter((row) => !seen.has(String(row.contactId)));
    if (rows.length > 0 && fresh.length === 0) throw repeatedPage(pager);
    for (const [index, row] of rows.entries()) {
      const id = String(row.contactId);
      if (seen.has(id)) continue;
      seen.add(id);
      yield pager.toContact(row, rawRows[index]);
    }
    const total = Number(value.total ?? Number.NaN);
    if (rows.length < SMS_PARTNER_PAGE_SIZE) return;
    // A `total` of at most one page could be the page's own size (the docs' example shows "20"
    // for a one-row page): trusting it could cut a longer group short, so only a larger one ends
    // the scan early. A group of exactly 20 costs one more (empty) page.
    if (trustTotal && Number.isFinite(total) && total > SMS_PARTNER_PAGE_SIZE && seen.size >= total)
      return;
  }
}

function repeatedPage(pager: SmsPartnerPager): ContactSyncError {
  return new ContactSyncError({
    code: 'invalid_response',
    provider: pager.provider,
    operation: pager.operation,
    retryable: false,
    route: 'GET /contact/list',
    detail: 'a page repeated the previous rows (the page parameter seems ignored)',
  });
}

/**
 * The contact of the group holding `phone`. SMS Partner has no lookup by phone, so this reads
 * pages; it reads page 1 first, then, when `total` names more pages, from the last page back.
 * The contact looked up is almost always one just written (a create whose answer was lost, a
 * code 15), and it sits on page 1 or on the last pages whichever way the vendor orders the group,
 * so a lookup costs about two requests instead of one per 20 contacts of the group. When nothing
 * matches, pages past the announced last one are read too, so a stale `total` misses nothing.
 */
export async function findSmsPartnerContact(
  pager: SmsPartnerPager,
  matches: (contact: Contact) => boolean,
): Promise<Contact | undefined> {
  const inPage = ({ value, body }: Awaited<ReturnType<SmsPartnerPager['read']>>) => {
    const rawRows = (body as { datas?: unknown[] }).datas ?? [];
    const rows = value.datas ?? [];
    for (const [index, row] of rows.entries()) {
      const contact = pager.toContact(row, rawRows[index]);
      if (matches(contact)) return { contact, size: rows.length };
    }
    return { contact: undefined, size: rows.length };
  };
  const first = await pager.read(1);
  const found = inPage(first);
  if (found.contact || found.size < SMS_PARTNER_PAGE_SIZE) return found.contact;
  const total = Number(first.value.total ?? Number.NaN);
  // Without a `total` above one page (see listSmsPartnerPages), read forward from page 2.
  const last =
    Number.isFinite(total) && total > SMS_PARTNER_PAGE_SIZE
      ? Math.ceil(total / SMS_PARTNER_PAGE_SIZE)
      : 1;
  let lastSize = SMS_PARTNER_PAGE_SIZE;
  for (let page = last; page >= 2; page -= 1) {
    const { contact, size } = inPage(await pager.read(page));
    if (contact) return contact;
    if (page === last) lastSize = size;
  }
  // A short last page ends the group: `total` was right.
  if (last > 1 && lastSize < SMS_PARTNER_PAGE_SIZE) return undefined;
  let previous: string | undefined;
  for (let page = last + 1; ; page += 1) {
    const read = await pager.read(page);
    const { contact, size } = inPage(read);
    if (contact) return contact;
    if (size < SMS_PARTNER_PAGE_SIZE) return undefined;
    // A vendor that ignores `page` would answer the same rows forever.
    const signature = (read.value.datas ?? []).map((row) => String(row.contactId)).join(',');
    if (signature === previous) throw repeatedPage(pager);
    previous = signature;
  }
}
