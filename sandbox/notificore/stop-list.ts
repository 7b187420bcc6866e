import type { EmulatedStopEntry, EmulatorRequest, EmulatorResponse } from '../emulator.js';
import { isResponse, readPage, refusal, vendorDateTime } from './book.js';
import {
  meets,
  OPERATORS,
  type Operator,
  ordered,
  readCriteria,
  readOrder,
  TEXTUAL,
} from './search.js';

const TYPES = ['sms', 'viber'] as const;
type StopType = (typeof TYPES)[number];

interface StopEntry {
  id: number;
  /** Digits, no `+`, as the vendor keeps them. */
  phone: number;
  created_at: string;
  sms_stoplist: boolean;
  viber_stoplist: boolean;
}

const FLAG: Record<StopType, 'sms_stoplist' | 'viber_stoplist'> = {
  sms: 'sms_stoplist',
  viber: 'viber_stoplist',
};

/**
 * Notificore's stop list (`/api/stoplist`), separate from the contact book: entries by phone with
 * one flag per channel type, offset pages (15–500), `attach` by phones and `detach` by entry ids,
 * and `search`. `groupPhones(id)` gives the phones of a contact list of the book, `undefined` for
 * a list that does not exist (for `contact_group_id`).
 */
export function createNotificoreStopList(
  now: () => Date = () => new Date(),
  groupPhones: (groupId: number) => ReadonlySet<number> | undefined = () => undefined,
) {
  const entries = new Map<number, StopEntry>();
  let nextId = 9_392_897;

  function listed(entry: StopEntry): boolean {
    return entry.sms_stoplist || entry.viber_stoplist;
  }

  function attach(body: unknown): EmulatorResponse {
    const { phones, types } = (body ?? {}) as { phones?: unknown; types?: unknown };
    if (!Array.isArray(phones) || phones.length === 0 || !phones.every(isVendorPhone)) {
      return refusal('The phones field is required.', {
        phones: ['The phones must be an array of numbers.'],
      });
    }
    const wanted = typesOf(types);
    if (!wanted)
      return refusal('The selected types is invalid.', {
        types: ['The selected types is invalid.'],
      });
    const touched = phones.map((phone: number) => {
      let entry = [...entries.values()].find((held) => held.phone === phone);
      if (!entry) {
        entry = {
          id: nextId++,
          phone,
          created_at: vendorDateTime(now()),
          sms_stoplist: false,
          viber_stoplist: false,
        };
        entries.set(entry.id, entry);
      }
      for (const type of wanted) entry[FLAG[type]] = true;
      return { ...entry };
    });
    return { status: 200, body: { data: touched } };
  }

  function detach(body: unknown): EmulatorResponse {
    const { ids, types } = (body ?? {}) as { ids?: unknown; types?: unknown };
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every(Number.isInteger)) {
      return refusal('The ids field is required.', {
        ids: ['The ids must be an array of integers.'],
      });
    }
    const wanted = typesOf(types);
    if (!wanted)
      return refusal('The selected types is invalid.', {
        types: ['The selected types is invalid.'],
      });
    for (const id of ids as number[]) {
      const entry = entries.get(id);
      if (!entry) continue;
      for (const type of wanted) entry[FLAG[type]] = false;
      if (!listed(entry)) entries.delete(id);
    }
    return { status: 200, body: { message: 'Successful detached' } };
  }

  function list(query: URLSearchParams): EmulatorResponse {
    const page = readPage(query, 30);
    if (isResponse(page)) return page;
    // The docs name it `types`, the generated SDKs send `type`: both are read.
    const type = query.get('types') ?? query.get('type');
    if (type !== null && !TYPES.includes(type as StopType)) {
      return refusal('The selected types is invalid.', {
        types: ['The selected types is invalid.'],
      });
    }
    const all = [...entries.values()].filter((entry) =>
      type ? entry[FLAG[type as StopType]] : true,
    );
    const data = all.slice(page.offset, page.offset + page.limit).map((entry) => ({ ...entry }));
    return { status: 200, body: { data, total: all.length } };
  }

  /**
   * `search[field|operator|value]` and `search_fields[n][…]` (all must hold), `sort` (`id`,
   * `phone`), `way`, and `contact_group_id` (only the phones of that contact list); no criterion
   * finds every entry. Fields: `id`, `phone`, `type` and the creation date, which the docs call
   * `date` and the SDK `created_at` (both are read).
   */
  function search(query: URLSearchParams): EmulatorResponse {
    const page = readPage(query, 50);
    if (isResponse(page)) return page;
    const criteria = readCriteria(query, stopOperators);
    if (isResponse(criteria)) return criteria;
    const badType = criteria.find(
      (criterion) => criterion.field === 'type' && !TYPES.includes(criterion.value as StopType),
    );
    if (badType) return refusal('The selected search.value is invalid.');
    const order = readOrder(query, ['id', 'phone']);
    if (isResponse(order)) return order;
    const groupText = query.get('contact_group_id');
    let inGroup: ReadonlySet<number> | undefined;
    if (groupText !== null) {
      inGroup = /^\d+$/.test(groupText) ? groupPhones(Number(groupText)) : undefined;
      if (!inGroup) return refusal('The selected contact group id is invalid.');
    }
    const matches = [...entries.values()].filter(
      (entry) =>
        (!inGroup || inGroup.has(entry.phone)) &&
        criteria.every((criterion) =>
          criterion.field === 'type'
            ? entry[FLAG[criterion.value as StopType]]
            : meets(heldValue(entry, criterion.field), criterion),
        ),
    );
    const sorted = ordered(
      matches,
      (entry) => (order.sort === 'phone' ? entry.phone : entry.id),
      order.descending,
    );
    const last = criteria.at(-1);
    return {
      status: 200,
      body: {
        data: sorted.slice(page.offset, page.offset + page.limit).map((entry) => ({ ...entry })),
        meta: {
          page: { total: matches.length, limit: page.limit, offset: page.offset },
          search: last ? { ...last } : null,
        },
      },
    };
  }

  return {
    /** The stop-list routes; `undefined` for any other path. */
    handle(request: EmulatorRequest): EmulatorResponse | undefined {
      const { method, path } = request;
      const route = ROUTES[path];
      if (!route) return undefined;
      if (method !== route) return { status: 405, body: { message: 'Method Not Allowed' } };
      if (path === '/api/stoplist') return list(request.query);
      if (path === '/api/stoplist/search') return search(request.query);
      if (path === '/api/stoplist/attach') return attach(request.body);
      return detach(request.body);
    },
    /** Phones on the list for `type`, E.164. */
    phones: (type: StopType = 'sms') =>
      [...entries.values()].filter((entry) => entry[FLAG[type]]).map((entry) => `+${entry.phone}`),
    /** Every entry still on the list, as the vendor shows it (the sandbox's page). */
    entries: (): EmulatedStopEntry[] =>
      [...entries.values()]
        .filter(listed)
        .map((entry) => ({ phone: `+${entry.phone}`, record: { ...entry } })),
    /** Empties the stop list. */
    reset: () => entries.clear(),
  };
}

export type NotificoreStopList = ReturnType<typeof createNotificoreStopList>;

const ROUTES: Record<string, string> = {
  '/api/stoplist': 'GET',
  '/api/stoplist/search': 'GET',
  '/api/stoplist/attach': 'POST',
  '/api/stoplist/detach': 'POST',
};

/** The operators a stop-list field takes (the docs list them for the endpoint, not per field). */
function stopOperators(field: string): readonly Operator[] | undefined {
  if (field === 'id' || field === 'phone' || field === 'date' || field === 'created_at') {
    return OPERATORS;
  }
  if (field === 'type') return TEXTUAL;
  return undefined;
}

function heldValue(entry: StopEntry, field: string): string | number | undefined {
  if (field === 'id') return entry.id;
  if (field === 'phone') return String(entry.phone);
  return entry.created_at;
}

function typesOf(value: unknown): StopType[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((type) => TYPES.includes(type)) ? (value as StopType[]) : undefined;
}

function isVendorPhone(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    String(value).length >= 9 &&
    String(value).length <= 15
  );
}
