import type { Contact } from '../../src/contact.js';
import { SMS_PARTNER_PAGE_SIZE, type SmsPartnerRecord } from './api.js';
import { findSmsPartnerContact, listSmsPartnerPages, type SmsPartnerPager } from './list.js';
import type { SmsPartnerContactFields } from './mappers.js';
import { phoneFromSmsPartner } from './phone.js';

/** A row of the group as the index holds it: the read-side record, and its E.164 phone. */
interface Row {
  record: SmsPartnerRecord;
  phone: string;
  /** Read from the vendor (a page, a detail), not pieced together from the echo of a write. */
  whole: boolean;
}

/**
 * The group's phone → contact index. SMS Partner has no lookup by phone, so the store reads the
 * group once (20 contacts per page) and answers lookups from memory; its own writes keep the
 * index current. Built lazily on the first lookup, shared by concurrent callers.
 *
 * What the group may do behind the store's back, and how the index copes:
 * - a phone it does not know turns out to be there (a create answered code 15, e.g. because a
 *   create whose answer was lost did land): that phone is marked, and its next lookup searches the
 *   group (page 1, then from the last page back, where new contacts sit) and refreshes every row
 *   it reads, instead of trusting the index;
 * - a contact it knows is gone (a read by id says not found): the index is dropped and rebuilt,
 *   in one pass, on the next lookup.
 */
export interface SmsPartnerPhoneIndex {
  /** The contact holding `phone`, from the index (built first when needed). */
  find(phone: string, pager: SmsPartnerPager): Promise<Contact | undefined>;
  /** The record held for `id`, when the index knows it. */
  record(id: string): SmsPartnerRecord | undefined;
  /**
   * Records a contact as the vendor now holds it: `whole` for a read, not for the echo of a create
   * (which leaves out `createdAt` and what was not sent).
   */
  put(record: SmsPartnerRecord, whole?: boolean): void;
  /**
   * Applies the fields of an update (write-side names) to the record of `id` and returns it, when
   * the index holds that contact as read from the vendor.
   */
  patch(id: string, fields: SmsPartnerContactFields): SmsPartnerRecord | undefined;
  /** Forgets the contact `id` (deleted by the store). */
  forget(id: string): void;
  /** A write said the vendor holds `phone` although the index says it does not. */
  suspect(phone: string): void;
  /** The group changed under the store: read it again on the next lookup. */
  drop(): void;
  /**
   * After a bulk add: reads the end of the group, where the new rows are, and returns the records
   * of `phones` found (all of them, when the group grew as expected). Rows it does not find there
   * cost one full pass when `complete` is set (they were surely imported).
   */
  learn(
    phones: readonly string[],
    complete: ReadonlySet<string>,
    pager: SmsPartnerPager,
  ): Promise<Map<string, SmsPartnerRecord>>;
}

export function createSmsPartnerPhoneIndex(
  toContact: (record: SmsPartnerRecord) => Contact,
): SmsPartnerPhoneIndex {
  const byId = new Map<string, Row>();
  const idOf = new Map<string, string>();
  const suspects = new Set<string>();
  let ready = false;
  let building: Promise<void> | undefined;
  /** Rows per page as the vendor serves them (the docs say 20; a larger page is read as is). */
  let pageSize = SMS_PARTNER_PAGE_SIZE;

  function put(record: SmsPartnerRecord, whole = true): void {
    const id = String(record.contactId ?? '');
    const phone = phoneFromSmsPartner(record.phone ?? record.phoneNumber);
    if (!id || !phone) return;
    const before = byId.get(id);
    if (before && idOf.get(before.phone) === id) idOf.delete(before.phone);
    byId.set(id, { record: { ...record, phone }, phone, whole });
    idOf.set(phone, id);
    // Read from the group just now: where that phone is, is known again.
    if (whole) suspects.delete(phone);
  }

  /** A pager whose every row read lands in the index, and whose page sizes are learned. */
  function feeding(pager: SmsPartnerPager): SmsPartnerPager {
    return {
      ...pager,
      async read(page) {
        const answer = await pager.read(page);
        const rows = answer.value.datas ?? [];
        pageSize = Math.max(pageSize, rows.length);
        for (const row of rows) put(row);
        return answer;
      },
    };
  }

  async function build(pager: SmsPartnerPager): Promise<void> {
    byId.clear();
    idOf.clear();
    suspects.clear();
    // Until a short page, whatever `total` says: a stale one must not leave rows out of the index.
    for await (const _contact of listSmsPartnerPages(feeding(pager), { trustTotal: false })) {
      // Each page's rows were put as they were read.
    }
    ready = true;
  }

  /** One build at a time; a failed one is not kept, so the next lookup starts another. */
  async function ensure(pager: SmsPartnerPager): Promise<void> {
    if (ready) return;
    building ??= build(pager).finally(() => {
      building = undefined;
    });
    await building;
  }

  function contactOf(id: string | undefined): Contact | undefined {
    const row = id === undefined ? undefined : byId.get(id);
    return row ? toContact(row.record) : undefined;
  }

  return {
    async find(phone, pager) {
      await ensure(pager);
      if (!suspects.has(phone)) return contactOf(idOf.get(phone));
      const found = await findSmsPartnerContact(
        feeding(pager),
        (contact) => contact.phone === phone,
      );
      suspects.delete(phone);
      return found ? contactOf(found.id) : undefined;
    },
    record: (id) => byId.get(id)?.record,
    put,
    patch(id, fields) {
      const row = byId.get(id);
      if (!row?.whole) return undefined;
      const { phoneNumber, shortUrlPartnr, ...same } = fields as SmsPartnerContactFields & {
        shortUrlPartnr?: string;
      };
      const record: SmsPartnerRecord = {
        ...row.record,
        ...same,
        ...(phoneNumber !== undefined ? { phone: phoneNumber } : {}),
        ...(shortUrlPartnr !== undefined ? { shortUrl: shortUrlPartnr } : {}),
      };
      put(record);
      return byId.get(id)?.record;
    },
    forget(id) {
      const row = byId.get(id);
      if (!row) return;
      byId.delete(id);
      if (idOf.get(row.phone) === id) idOf.delete(row.phone);
    },
    suspect(phone) {
      if (ready && !idOf.has(phone)) suspects.add(phone);
    },
    drop() {
      ready = false;
      byId.clear();
      idOf.clear();
      suspects.clear();
    },
    async learn(phones, complete, pager) {
      await ensure(pager);
      const wanted = () => phones.filter((phone) => !idOf.has(phone));
      // New rows follow the ones already known: start at the page holding the first of them.
      const first = Math.floor(byId.size / pageSize) + 1;
      const tail = feeding(pager);
      for (let page = first; wanted().length > 0; page += 1) {
        const known = byId.size;
        const rows = (await tail.read(page)).value.datas ?? [];
        // A short page ends the group; a page of rows all known means the tail is behind us.
        if (rows.length < pageSize || byId.size === known) break;
      }
      if (phones.some((phone) => complete.has(phone) && !idOf.has(phone))) {
        // The group is not ordered the way the tail read assumed (newest first, say): one pass.
        ready = false;
        await ensure(pager);
      }
      const found = new Map<string, SmsPartnerRecord>();
      for (const phone of phones) {
        const id = idOf.get(phone);
        const row = id === undefined ? undefined : byId.get(id);
        if (row) found.set(phone, row.record);
      }
      return found;
    },
  };
}
