import type { Contact, ContactInput } from '../../src/contact.js';
import { ContactSyncError, isContactSyncError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http.js';
import type { DriverCall } from '../../src/store.js';
import { SMS_PARTNER_BULK_LIMIT, type SmsPartnerRecord } from './api.js';
import { readSmsPartnerBulkBody } from './errors.js';
import type { SmsPartnerPager } from './list.js';
import type { SmsPartnerContactFields } from './mappers.js';
import type { SmsPartnerPhoneIndex } from './phone-index.js';
import type { smsPartnerRequests } from './requests.js';

interface BulkAdd {
  http: HttpClient;
  requests: ReturnType<typeof smsPartnerRequests>;
  index: SmsPartnerPhoneIndex;
  groupId: string;
  pager(operation: string, call: DriverCall): SmsPartnerPager;
  toContact(record: SmsPartnerRecord): Contact;
}

/**
 * `createMany` over `contactsList`: chunks of 500, then one read of the end of the group for the
 * ids the answer does not carry. A row the answer reports with code 15 is a `conflict` (upserted
 * on its own, from the index); any other row it reports fails with its code; a row it does not
 * report was imported, and is found in the group. A chunk that fails fails its own rows only.
 */
export function smsPartnerBulkAdd(bulk: BulkAdd) {
  const { http, requests, index } = bulk;
  return async function createMany(
    _inputs: readonly ContactInput[],
    plans: readonly { contact: SmsPartnerContactFields }[],
    call: DriverCall,
  ): Promise<PromiseSettledResult<Contact>[]> {
    const rows = plans.map((plan) => plan.contact);
    const failures = new Map<string, ContactSyncError>();
    for (let start = 0; start < rows.length; start += SMS_PARTNER_BULK_LIMIT) {
      const chunk = rows.slice(start, start + SMS_PARTNER_BULK_LIMIT);
      // No `recovery`: a replayed bulk add cannot make a second contact (the group answers 15).
      const spec = requests.addMany(chunk, { signal: call.signal });
      try {
        const answer = await http.request(spec, (response) =>
          readSmsPartnerBulkBody(http, spec, response, bulk.groupId),
        );
        for (const [phone, failure] of answer) failures.set(phone, failure);
      } catch (error) {
        // After its retries: this chunk's rows fail with the error, the others go on; a rerun
        // finds through the index any row the vendor did import.
        if (isContactSyncError(error) && error.code === 'aborted') throw error;
        for (const row of chunk) failures.set(row.phoneNumber as string, asChunkError(error));
      }
    }
    const phones = rows.map((row) => row.phoneNumber as string);
    const imported = new Set(phones.filter((phone) => !failures.has(phone)));
    for (const [phone, failure] of failures) {
      if (failure.code === 'conflict') index.suspect(phone);
    }
    // Imported rows, and rows refused with 15 (maybe imported by a lost attempt), are in the group.
    const toLearn = phones.filter((phone) => {
      const failure = failures.get(phone);
      return failure === undefined || failure.code === 'conflict';
    });
    const found = toLearn.length
      ? await index.learn(toLearn, imported, bulk.pager('create', call))
      : new Map<string, SmsPartnerRecord>();
    return phones.map((phone): PromiseSettledResult<Contact> => {
      const failure = failures.get(phone);
      // A conflict: held already (a lost answer's import, or a contact the index did not know);
      // `upsert` takes it from there.
      if (failure) return { status: 'rejected', reason: failure };
      const record = found.get(phone);
      if (!record) return { status: 'rejected', reason: notImported() };
      return { status: 'fulfilled', value: bulk.toContact(record) };
    });
  };
}

function asChunkError(error: unknown): ContactSyncError {
  if (isContactSyncError(error)) return error;
  return new ContactSyncError({
    code: 'provider_error',
    provider: 'smspartner',
    operation: 'create',
    retryable: false,
    cause: error,
  });
}

function notImported(): ContactSyncError {
  return new ContactSyncError({
    code: 'provider_error',
    provider: 'smspartner',
    operation: 'create',
    retryable: false,
    route: 'POST /contact/add',
    detail: 'the bulk add reported no error for this contact, yet the group does not hold it',
  });
}
