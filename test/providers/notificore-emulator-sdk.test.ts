import { describe, expect, it } from 'vitest';
import type { EmulatorRequest } from '../../sandbox/emulator.js';
import { createNotificoreEmulator } from '../../sandbox/notificore/emulator.js';

// The request shapes Notificore's generated JavaScript SDK (bsgworld/js-sdk) sent to the emulator
// in `node scripts/notificore-sdk-check.mjs`, whose answers were not the documented ones: each
// query below is the one the SDK built (its `search_fields[0][…]`, `sort`/`way`,
// `contact_group_id`), replayed without the SDK.

const day = 24 * 60 * 60 * 1000;

/** An emulator on a clock the test moves, logged in; `get(path, query)` and `post(path, body)`. */
function emulatorOnAClock() {
  let clock = Date.parse('2026-01-05T10:00:00Z');
  const emulator = createNotificoreEmulator({ now: () => new Date(clock) });
  const send = (method: string, path: string, body?: unknown, query = '', token?: string) =>
    emulator.handle({
      method,
      path,
      query: new URLSearchParams(query),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body,
    } satisfies EmulatorRequest);
  const bearer = (
    send('POST', '/api/auth/login', { api_key: 'test-key' }).body as { bearer: string }
  ).bearer;
  const get = (path: string, query: string) => send('GET', path, undefined, query, bearer);
  const post = (path: string, body: unknown) => send('POST', path, body, '', bearer);
  return {
    get,
    post,
    nextDay: () => {
      clock += day;
    },
  };
}

const ids = (response: { status: number; body?: unknown }) => {
  expect(response.status).toBe(200);
  return ((response.body as { data: { id: number }[] }).data ?? []).map((item) => item.id);
};

describe('notificore emulator: contact search by creation date, as the SDK sends it', () => {
  it('reads an ISO 8601 value (with T) as a date, not as text', () => {
    const { post, get, nextDay } = emulatorOnAClock();
    const created = (phone: number) =>
      ((post('/api/contacts', { phone }).body as { data: { id: number } }).data as { id: number })
        .id;
    const first = created(33600000001); // 2026-01-05 10:00:00
    nextDay();
    const second = created(33700000003); // 2026-01-06 10:00:00
    const search = (operator: string, value: string) =>
      ids(
        get(
          '/api/contacts/search',
          `search[field]=date&search[operator]=${encodeURIComponent(operator)}&search[value]=${encodeURIComponent(value)}`,
        ),
      );
    expect(search('>', '2026-01-06T09:00:00')).toEqual([second]);
    expect(search('<', '2026-01-06T09:00:00')).toEqual([first]);
    expect(search('<=', '2026-01-05T10:00:00Z')).toEqual([first]);
    // 11:00 at +02:00 is 09:00 UTC, the zone the vendor's `Y-m-d H:i:s` dates are read in.
    expect(search('>', '2026-01-06T11:00:00+02:00')).toEqual([second]);
    expect(search('>', '2026-01-06T13:00:00+02:00')).toEqual([]);
    // The stored format itself still compares as before.
    expect(search('>=', '2026-01-06 00:00:00')).toEqual([second]);
  });
});

describe('notificore emulator: stop-list search, as the SDK sends it', () => {
  function stopListWithAGroup() {
    const book = emulatorOnAClock();
    const { post } = book;
    const list = (post('/api/groups', { name: 'SDK first' }).body as { data: { id: number } }).data
      .id;
    post('/api/contacts', { phone: 33600000011, groups: [{ id: list }] });
    const added = post('/api/stoplist/attach', {
      phones: [33600000011, 33690000001],
      types: ['sms'],
    });
    const [annEntry, otherEntry] = (added.body as { data: { id: number }[] }).data.map(
      (entry) => entry.id,
    );
    book.nextDay();
    const viber = post('/api/stoplist/attach', { phones: [33790000002], types: ['viber'] });
    const viberEntry = (viber.body as { data: { id: number }[] }).data[0]?.id as number;
    post('/api/stoplist/attach', { phones: [33600000011], types: ['viber'] });
    const search = (query: string) => book.get('/api/stoplist/search', query);
    return { search, list, annEntry, otherEntry, viberEntry };
  }

  it('finds by type the entries holding that flag, also those holding both', () => {
    const { search, annEntry, otherEntry, viberEntry } = stopListWithAGroup();
    expect(ids(search('search[field]=type&search[operator]=%3D&search[value]=viber'))).toEqual([
      annEntry,
      viberEntry,
    ]);
    expect(ids(search('search[field]=type&search[operator]=%3D&search[value]=sms'))).toEqual([
      annEntry,
      otherEntry,
    ]);
    expect(search('search[field]=type&search[operator]=%3D&search[value]=fax').status).toBe(422);
    expect(search('search[field]=type&search[operator]=%3E&search[value]=sms').status).toBe(422);
  });

  it('without a criterion finds every entry, in the order of sort and way', () => {
    const { search, annEntry, otherEntry, viberEntry } = stopListWithAGroup();
    expect(ids(search('sort=phone&way=desc'))).toEqual([viberEntry, otherEntry, annEntry]);
    expect(ids(search('sort=id&way=desc'))).toEqual([viberEntry, otherEntry, annEntry]);
    expect(ids(search('sort=phone&way=asc'))).toEqual([annEntry, otherEntry, viberEntry]);
    expect(search('sort=created_at').status).toBe(422);
    expect(search('sort=id&way=up').status).toBe(422);
  });

  it('keeps to the phones of a contact list with contact_group_id', () => {
    const { search, list, annEntry } = stopListWithAGroup();
    expect(ids(search(`contact_group_id=${list}`))).toEqual([annEntry]);
    expect(search('contact_group_id=999').status).toBe(422);
  });

  it('reads search_fields[0], alone and with search (both must hold)', () => {
    const { search, annEntry, otherEntry } = stopListWithAGroup();
    expect(
      ids(
        search(
          'search_fields[0][field]=type&search_fields[0][operator]=%3D&search_fields[0][value]=sms',
        ),
      ),
    ).toEqual([annEntry, otherEntry]);
    expect(
      ids(
        search(
          'search[field]=phone&search[operator]=like&search[value]=336' +
            '&search_fields[0][field]=type&search_fields[0][operator]=%3D&search_fields[0][value]=viber',
        ),
      ),
    ).toEqual([annEntry]);
  });

  it('takes the creation date as created_at (the SDK) and date (the docs), ISO 8601 too', () => {
    const { search, annEntry, otherEntry, viberEntry } = stopListWithAGroup();
    expect(
      ids(
        search(
          'search[field]=created_at&search[operator]=%3E%3D&search[value]=2026-01-06%2000%3A00%3A00',
        ),
      ),
    ).toEqual([viberEntry]);
    expect(
      ids(search('search[field]=date&search[operator]=%3C&search[value]=2026-01-06T00%3A00%3A00')),
    ).toEqual([annEntry, otherEntry]);
    expect(search('search[field]=email&search[operator]=%3D&search[value]=x').status).toBe(422);
  });
});
