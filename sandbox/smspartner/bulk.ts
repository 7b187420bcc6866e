import { readWritableContact, type WritableValues } from './fields.js';

export interface BulkBook {
  /** Whether the group already holds this E.164 number. */
  holds(phone: string): boolean;
  store(values: WritableValues): void;
}

const REASONS: Record<string, keyof ReturnType<typeof emptyCounters>> = {
  phoneNumber: 'invalidePhone',
  url: 'urlInvalide',
  date: 'dateInvalide',
};

/**
 * `contact/add` with `contactsList`: a different envelope from the single add (no `success`, the
 * group as `groupe.token`, French and misspelled keys), failed rows only in `results`, counters in
 * `rapport`, and no contact ids.
 */
export function bulkAdd(group: { name: string; token: string }, list: unknown[], book: BulkBook) {
  const counters = emptyCounters();
  const results: Record<string, unknown>[] = [];
  let imported = 0;
  for (const item of list) {
    const contact =
      item && typeof item === 'object' ? (item as Record<string, unknown>) : undefined;
    const phoneNumber = contact?.phoneNumber;
    if (!contact || typeof phoneNumber !== 'string' || !phoneNumber) {
      counters.empty += 1;
      continue;
    }
    const { values, errors } = readWritableContact(contact);
    const failed = errors[0]?.elementId.match(/\[(\w+)\]/)?.[1];
    if (failed) {
      counters[REASONS[failed] ?? 'empty'] += 1;
      results.push({ success: false, code: 9, phoneNumber, message: errors[0]?.message });
    } else if (book.holds(values.phone as string)) {
      counters.allreadyInGroupe += 1;
      results.push({
        success: false,
        code: 15,
        phoneNumber: values.phone,
        message: 'The number is already in the group',
      });
    } else {
      book.store(values);
      imported += 1;
    }
  }
  const rapport = {
    nbline: list.length,
    nbline_imported: imported,
    nbline_updated: 0,
    errors: counters,
  };
  return { groupe: { name: group.name, token: group.token }, results, rapport };
}

function emptyCounters() {
  return {
    stopSms: 0,
    invalidePhone: 0,
    duplicatePhone: 0,
    allreadyInGroupe: 0,
    urlInvalide: 0,
    dateInvalide: 0,
    empty: 0,
    unactivated: 0,
    dateInvalid: 0,
  };
}
