import { describe, expect, it } from 'vitest';
import type { EmulatorRequest } from '../../sandbox/emulator.js';
import {
  createNotificoreEmulator,
  type NotificoreEmulatorOptions,
} from '../../sandbox/notificore/emulator.js';

/** An emulator with a JWT, and `call(method, path, body?, query?)` sending it. */
function direct(options: NotificoreEmulatorOptions = {}) {
  const emulator = createNotificoreEmulator({
    lists: [
      { id: 56147, name: 'Newsletter' },
      { id: 777, name: 'Customers' },
    ],
    ...options,
  });
  const login = emulator.handle(request('POST', '/api/auth/login', { api_key: 'test-key' }));
  const authorization = `Bearer ${(login.body as { bearer: string }).bearer}`;
  const call = (method: string, path: string, body?: unknown, query = '') =>
    emulator.handle({ ...request(method, path, body, query), headers: { authorization } });
  const create = (phone: number, extra: Record<string, unknown> = {}) =>
    (call('POST', '/api/contacts', { phone, ...extra }).body as { data: { id: number } }).data.id;
  return { emulator, call, create };
}

function request(method: string, path: string, body?: unknown, query = ''): EmulatorRequest {
  return { method, path, query: new URLSearchParams(query), headers: {}, body };
}

const data = (response: { body?: unknown }) => (response.body as { data: unknown }).data;
const ids = (response: { body?: unknown }) =>
  (data(response) as { id: number }[]).map((item) => item.id);

describe('notificore emulator: contacts and lists', () => {
  it('takes groups as plain ids (the docs) and as { id } objects (the SDK models)', () => {
    const { call } = direct();
    const plain = call('POST', '/api/contacts', { phone: 33612345678, groups: [56147] });
    const objects = call('POST', '/api/contacts', {
      phone: 33612345679,
      groups: [{ id: 777, name: 'Customers' }],
    });
    expect(plain.status).toBe(201);
    expect(objects.status).toBe(201);
    expect(data(objects)).toMatchObject({ groups: [{ id: 777, name: 'Customers' }] });
    const id = (data(objects) as { id: number }).id;
    const updated = call('PUT', `/api/contacts/${id}`, {
      phone: 33612345679,
      groups: [{ id: 56147 }],
    });
    expect(updated.status).toBe(200);
    expect(call('POST', '/api/contacts', { phone: 33612345670, groups: [{ id: 1 }] }).status).toBe(
      422,
    );
  });

  it('replaces on PUT by default: fields and lists not sent are gone', () => {
    const { call, create } = direct();
    const id = create(33612345678, {
      groups: [56147],
      fields: [
        { id: 25964, value: 'Ana' },
        { id: 25965, value: 'Lopez' },
      ],
    });
    const put = call('PUT', `/api/contacts/${id}`, {
      phone: 33612345678,
      fields: [{ id: 25964, value: 'Eve' }],
    });
    expect(data(put)).toMatchObject({ fields: [{ id: 25964, value: 'Eve' }], groups: [] });
  });

  it('merges on PUT with updateSemantics merge', () => {
    const { call, create } = direct({ updateSemantics: 'merge' });
    const id = create(33612345678, { groups: [56147], fields: [{ id: 25965, value: 'Lopez' }] });
    const put = call('PUT', `/api/contacts/${id}`, {
      phone: 33612345678,
      groups: [777],
      fields: [{ id: 25964, value: 'Eve' }],
    });
    expect(data(put)).toMatchObject({
      fields: [
        { id: 25965, value: 'Lopez' },
        { id: 25964, value: 'Eve' },
      ],
      groups: [{ id: 56147 }, { id: 777 }],
    });
  });

  it('creates, reads, renames and deletes a list; a deleted list keeps its contacts', () => {
    const { call, create, emulator } = direct();
    const made = call('POST', '/api/groups', { name: 'VIP', description: 'best', default: false });
    expect(made.status).toBe(201);
    const list = data(made) as { id: number };
    expect(data(made)).toMatchObject({ name: 'VIP', description: 'best', items: 0 });
    expect(call('POST', '/api/groups', { name: 'VIP' })).toEqual({
      status: 422,
      body: { message: 'Contact group is already exists', errors: [] },
    });
    expect(call('POST', '/api/groups', { name: 'x'.repeat(51) }).status).toBe(422);
    create(33612345678, { groups: [list.id] });
    expect(data(call('GET', `/api/groups/${list.id}`))).toMatchObject({ name: 'VIP', items: 1 });
    expect(data(call('PUT', `/api/groups/${list.id}`, { name: 'Gold' }))).toMatchObject({
      name: 'Gold',
    });
    expect(call('PUT', '/api/groups/1', { name: 'Gold' }).body).toMatchObject({
      message: 'Contact group is not found',
    });
    expect(call('DELETE', `/api/groups/${list.id}`)).toEqual({ status: 204 });
    expect(emulator.contacts()).toHaveLength(1);
    expect(ids(call('GET', '/api/groups'))).toEqual([56147, 777]);
  });

  it('attaches and detaches 1–200 contacts to 1–20 lists, idempotently', () => {
    const { call, create } = direct();
    const first = create(33612345678);
    const second = create(33612345679);
    const attach = (body: unknown) => call('POST', '/api/groups/attach', body);
    expect(attach({ contacts: [first, second], groups: [56147, 777] })).toEqual({
      status: 200,
      body: { message: 'Successful attached' },
    });
    expect(attach({ contacts: [first], groups: [56147] }).status).toBe(200);
    expect(data(call('GET', `/api/contacts/${first}`))).toMatchObject({
      groups: [{ id: 56147 }, { id: 777 }],
    });
    expect(call('POST', '/api/groups/detach', { contacts: [first], groups: [777] }).status).toBe(
      200,
    );
    expect(ids(call('GET', '/api/contacts', undefined, 'groups[]=777'))).toEqual([second]);
    expect(attach({ contacts: [], groups: [777] }).status).toBe(422);
    expect(
      attach({ contacts: Array.from({ length: 201 }, () => first), groups: [777] }).status,
    ).toBe(422);
    expect(
      attach({ contacts: [first], groups: Array.from({ length: 21 }, () => 777) }).status,
    ).toBe(422);
    expect(attach({ contacts: [1], groups: [777] }).status).toBe(422);
    expect(attach({ contacts: [first], groups: [1] }).status).toBe(422);
  });

  it('deletes contacts in bulk by contact_ids[] and group_ids[], in the query or a JSON body', () => {
    const { call, create, emulator } = direct();
    const a = create(33612345671);
    create(33612345672, { groups: [777] });
    const c = create(33612345673);
    create(33612345674);
    expect(
      call('POST', '/api/contacts/delete', undefined, `contact_ids[]=${a}&group_ids[]=777`),
    ).toEqual({
      status: 204,
    });
    expect(call('POST', '/api/contacts/delete', { contact_ids: [c] })).toEqual({ status: 204 });
    expect(emulator.contacts().map((contact) => contact.phone)).toEqual(['+33612345674']);
    expect(call('POST', '/api/contacts/delete').status).toBe(422);
  });

  it('creates, renames and deletes custom fields, values included', () => {
    const { call, create } = direct();
    const made = call('POST', '/api/contacts/fields', { name: 'Score', type: 'number' });
    expect(made.status).toBe(201);
    const field = data(made) as { id: number };
    expect(data(made)).toMatchObject({ name: 'Score', type: 'number', is_visible: true });
    expect(
      data(call('POST', '/api/contacts/fields', { name: 'Since', type: 'datetime' })),
    ).toMatchObject({
      type: 'date',
    });
    expect(call('POST', '/api/contacts/fields', { name: 'Bad', type: 'colour' }).status).toBe(422);
    expect(call('POST', '/api/contacts/fields', { type: 'text' }).status).toBe(422);
    const contact = create(33612345678, { fields: [{ id: field.id, value: '12' }] });
    const patched = call('PATCH', `/api/contacts/fields/${field.id}`, { name: 'Points' });
    expect(data(patched)).toMatchObject({ id: field.id, name: 'Points', type: 'number' });
    expect(call('PATCH', `/api/contacts/fields/${field.id}`, { type: 'text' }).status).toBe(422);
    expect(call('POST', '/api/contacts/fields/delete', { ids: [field.id] })).toEqual({
      status: 204,
    });
    expect(data(call('GET', `/api/contacts/${contact}`))).toMatchObject({ fields: [] });
    expect(
      call('POST', '/api/contacts/fields/delete', {
        ids: Array.from({ length: 31 }, (_, i) => i + 1),
      }).status,
    ).toBe(422);
  });

  it('answers 404 to an unknown route and 405 to a known path with another method', () => {
    const { call } = direct();
    expect(call('GET', '/api/nothing-here').status).toBe(404);
    expect(call('GET', '/api/contacts/1/extra').status).toBe(404);
    expect(call('DELETE', '/api/contacts').status).toBe(405);
    expect(call('GET', '/api/contacts/delete').status).toBe(405);
    expect(call('GET', '/api/groups/attach').status).toBe(405);
    expect(call('PUT', '/api/contacts/fields').status).toBe(405);
    expect(call('PATCH', '/api/contacts/1').status).toBe(405);
  });
});

describe('notificore emulator: search', () => {
  function seeded() {
    const setup = direct();
    const { call } = setup;
    call('POST', '/api/contacts/fields', { name: 'Score', type: 'number' });
    for (const [index, score] of ['5', '10', '20'].entries()) {
      setup.create(33612345670 + index, {
        groups: index === 2 ? [777] : [],
        fields: [
          { id: 25964, value: ['Ana', 'Anabel', 'Eve'][index] },
          { id: 25972, value: score },
        ],
      });
    }
    const search = (query: string) => call('GET', '/api/contacts/search', undefined, query);
    return { ...setup, search };
  }

  it.each([
    ['search[field]=id&search[operator]=>&search[value]=248452739', [248452740, 248452741]],
    ['search[field]=id&search[operator]=>=&search[value]=248452740', [248452740, 248452741]],
    ['search[field]=id&search[operator]=<&search[value]=248452740', [248452739]],
    ['search[field]=id&search[operator]=<=&search[value]=248452740', [248452739, 248452740]],
    ['search[field]=25972&search[operator]=>=&search[value]=10', [248452740, 248452741]],
    ['search[field]=25972&search[operation]=<&search[value]=10', [248452739]],
    ['search[field]=25964&search[operator]=like&search[value]=Ana', [248452739, 248452740]],
    [
      'search[field]=phone&search[operator]=like&search[value]=3361234567',
      [248452739, 248452740, 248452741],
    ],
    ['search[field]=group_id&search[operator]==&search[value]=777', [248452741]],
  ])('searches %s', (query, expected) => {
    expect(ids(seeded().search(query))).toEqual(expected);
  });

  it('combines search_fields[n][…] criteria, all of which must match', () => {
    const { search } = seeded();
    const query = [
      'search_fields[0][field]=25964&search_fields[0][operator]=like&search_fields[0][value]=Ana',
      'search_fields[1][field]=25972&search_fields[1][operator]=>&search_fields[1][value]=5',
    ].join('&');
    expect(ids(search(query))).toEqual([248452740]);
  });

  it('sorts by id or phone, ascending or descending', () => {
    const { search } = seeded();
    expect(ids(search('sort=id&way=desc'))).toEqual([248452741, 248452740, 248452739]);
    expect(ids(search('sort=phone&way=asc'))).toEqual([248452739, 248452740, 248452741]);
  });

  it.each([
    'search[field]=phone&search[operator]=>&search[value]=1',
    'search[field]=25964&search[operator]=>=&search[value]=A',
    'search[field]=id&search[operator]=like&search[value]=1',
    'search[field]=email&search[operator]==&search[value]=a',
    'search[field]=id&search[operator]=~&search[value]=1',
    'search_fields[0][field]=id&search_fields[0][operator]==',
    'sort=created_at',
    'way=sideways',
  ])('refuses %s with a 422 instead of an empty 200', (query) => {
    expect(seeded().search(query).status).toBe(422);
  });

  it('searches lists by name, items and the phones they hold, sorted', () => {
    const { call, create } = direct();
    create(33612345678, { groups: [777] });
    const search = (query: string) => call('GET', '/api/groups/search', undefined, query);
    expect(ids(search('search[field]=name&search[operator]=like&search[value]=cust'))).toEqual([
      777,
    ]);
    expect(ids(search('search[field]=items&search[operator]=>=&search[value]=1'))).toEqual([777]);
    expect(ids(search('search[field]=phone&search[operator]==&search[value]=33612345678'))).toEqual(
      [777],
    );
    expect(ids(search('sort=name&way=desc'))).toEqual([56147, 777]);
    expect(data(search('search[field]=id&search[operator]==&search[value]=777'))).toEqual([
      expect.objectContaining({ is_default: false }),
    ]);
    expect(search('search[field]=name&search[operator]=>&search[value]=a').status).toBe(422);
    expect(search('sort=phone').status).toBe(422);
  });
});
