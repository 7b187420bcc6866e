import type { Contact } from '../../src/contact.js';
import { ContactSyncError } from '../../src/errors.js';
import {
  SMS_PARTNER_PAGE_SIZE,
  type SmsPartnerListResponse,
  type SmsPartnerRecord,
} from './smspartner-api.js';

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
export async function* listSmsPartnerPages(pager: SmsPartnerPager): AsyncIterable<Contact> {
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
    if (Number.isFinite(total) && total > SMS_PARTNER_PAGE_SIZE && seen.size >= total) return;
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
