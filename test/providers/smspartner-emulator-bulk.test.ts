import { beforeEach, describe, expect, it } from 'vitest';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';

const KEY = 'sp-bulk-key-4242';
const emulator = createSmsPartnerEmulator({ apiKey: KEY, groups: ['g1', 'g2'] });
const phoneOf = (index: number) => `+3361${String(index).padStart(7, '0')}`;
const seed = (count: number, group = 'g1') =>
  emulator.seed(
    group,
    Array.from({ length: count }, (_, index) => ({
      phoneNumber: phoneOf(index),
      firstname: 'Old',
    })),
  );

beforeEach(() => emulator.reset());

describe('smspartner emulator: bulk add and large groups', () => {
  const add = (body: Record<string, unknown>) =>
    emulator.handle({
      method: 'POST',
      path: '/contact/add',
      query: new URLSearchParams(),
      headers: {},
      body: { apiKey: KEY, groupId: 'g1', ...body },
    });

  it('takes at most 500 rows, and refuses an empty list', () => {
    const rows = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ phoneNumber: phoneOf(index) }));
    expect(add({ contactsList: rows(501) }).body).toMatchObject({ success: false, code: 50 });
    expect(add({ contactsList: [] }).body).toMatchObject({ success: false, code: 2 });
    expect(emulator.contacts()).toHaveLength(0);
    const answer = add({ contactsList: rows(500) }).body as Record<string, unknown>;
    expect(answer).not.toHaveProperty('success');
    expect(answer).toMatchObject({
      groupe: { token: 'g1' },
      results: [],
      rapport: { nbline: 500, nbline_imported: 500 },
    });
    expect(JSON.stringify(answer)).not.toContain('contactId');
  });

  it('answers a row already in the group with code 15 in results, and imports the others', () => {
    seed(1);
    const answer = add({
      contactsList: [{ phoneNumber: phoneOf(0) }, { phoneNumber: phoneOf(1) }],
    }).body;
    expect(answer).toMatchObject({
      results: [{ success: false, code: 15, phoneNumber: phoneOf(0) }],
      rapport: { nbline: 2, nbline_imported: 1, errors: { allreadyInGroupe: 1 } },
    });
  });

  it('pages a 20,000-contact group 20 at a time, in the order the contacts were added', () => {
    seed(20_000);
    const list = (page: number) =>
      emulator.handle({
        method: 'GET',
        path: '/contact/list',
        query: new URLSearchParams({ apiKey: KEY, groupId: 'g1', page: String(page) }),
        headers: {},
        body: undefined,
      }).body as { total: string; datas: { phone: string }[] };
    expect(list(1)).toMatchObject({ total: '20000' });
    expect(list(1).datas).toHaveLength(20);
    expect(list(1000).datas.map((row) => row.phone)).toEqual(
      Array.from({ length: 20 }, (_, index) => phoneOf(19_980 + index)),
    );
    expect(list(1001).datas).toEqual([]);
  });

  it('answers 404 to an unknown route and 405 to a known one with the wrong method', () => {
    const call = (method: string, path: string) =>
      emulator.handle({ method, path, query: new URLSearchParams(), headers: {}, body: {} });
    expect(call('POST', '/contact/search').status).toBe(404);
    expect(call('GET', '/contact/add').status).toBe(405);
  });
});
