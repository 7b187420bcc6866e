import { beforeEach, describe, expect, it } from 'vitest';
import { createCallbellEmulator } from '../../sandbox/callbell/emulator.js';
import type { EmulatedCallbellContact } from '../../sandbox/callbell/rules.js';
import type { EmulatorResponse } from '../../sandbox/emulator.js';

const MAIN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SECOND = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const emulator = createCallbellEmulator({
  channels: [
    { uuid: MAIN, main: true },
    { uuid: SECOND, type: 'whatsapp' },
  ],
});

/** The answer's body, read loosely: `contact` is an array or an object depending on the route. */
interface Answer extends EmulatorResponse {
  body: {
    contact: [EmulatedCallbellContact] & EmulatedCallbellContact;
    contacts: [EmulatedCallbellContact, ...EmulatedCallbellContact[]];
    meta: { page: number; pages: number; next: string | null };
  };
}

const call = (method: string, path: string, body?: unknown, token = 'test-token') => {
  const [pathname = '', search = ''] = path.split('?');
  return emulator.handle({
    method,
    path: pathname,
    query: new URLSearchParams(search),
    headers: { authorization: token ? `Bearer ${token}` : undefined },
    body,
  }) as Answer;
};
const create = (identifier: string, extra: Record<string, unknown> = {}) =>
  call('POST', '/contacts', { identifier, source: 'whatsapp', name: 'Jeanne', ...extra });

beforeEach(() => emulator.reset());

describe('callbell emulator', () => {
  it.each(['wrong-token', ''])('refuses the token %j with 401', (token) => {
    expect(call('GET', '/contacts', undefined, token)).toEqual({
      status: 401,
      body: { error: 'Unauthorized' },
    });
  });

  it('creates a contact wrapped in an array, keeping the identifier as given', () => {
    const response = create('+33 6 12 34 56 78', {
      tags: ['lead'],
      custom_fields: { City: 'Lyon' },
    });
    expect(response.status).toBe(200);
    const [contact] = response.body.contact;
    expect(contact).toMatchObject({
      name: 'Jeanne',
      phoneNumber: '+33 6 12 34 56 78',
      source: 'whatsapp',
      tags: ['lead'],
      assignedUser: null,
      customFields: { City: 'Lyon' },
    });
    expect(contact.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(emulator.contacts()).toEqual([
      { id: contact.uuid, phone: '+33612345678', record: contact },
    ]);
  });

  it.each([
    [{ name: '' }, 'Missing required parameter: name'],
    [{ tags: ['lead', 'unknown'] }, 'Tag not found: unknown'],
    [{ custom_fields: { 'Shoe size': '42' } }, 'Custom field not found: Shoe size'],
    [{ custom_fields: { City: 42 } }, { custom_fields: ['City must be a string'] }],
    [{ assigned_user: 'stranger@example.com' }, 'Assigned user not found'],
    [{ channel_uuid: 'cccccccccccccccccccccccccccccccc' }, 'Channel not found'],
  ])('refuses %j with 422', (extra, error) => {
    expect(create('33612345678', extra)).toEqual({ status: 422, body: { error } });
    expect(emulator.contacts()).toEqual([]);
  });

  it('keeps an identifier unique per channel, whatever its format', () => {
    expect(create('33612345678').status).toBe(200);
    expect(create('+33 612 345 678')).toEqual({
      status: 422,
      body: { error: 'Contact already exists' },
    });
    expect(create('33612345678', { channel_uuid: SECOND }).status).toBe(200);
    expect(emulator.contacts()).toHaveLength(2);
  });

  it('reads by uuid wrapped in an array and by phone unwrapped, on the main channel unless told', () => {
    const [main] = create('33612345678').body.contact;
    const [second] = create('33612345678', { channel_uuid: SECOND }).body.contact;
    expect(call('GET', `/contacts/${main.uuid}`).body).toEqual({ contact: [main] });
    expect(call('GET', '/contacts/phone/33612345678').body).toEqual({ contact: main });
    expect(call('GET', `/contacts/phone/33612345678?channel_uuid=${SECOND}`).body).toEqual({
      contact: second,
    });
  });

  it('answers 404 Not found for an unknown uuid, phone or route', () => {
    const notFound = { status: 404, body: { error: 'Not found' } };
    expect(call('GET', '/contacts/0123456789abcdef0123456789abcdef')).toEqual(notFound);
    expect(call('PATCH', '/contacts/1', { name: 'X' })).toEqual(notFound);
    expect(call('DELETE', '/contacts/1')).toEqual(notFound);
    expect(call('GET', '/contacts/phone/33699999999')).toEqual(notFound);
    expect(call('GET', '/teams')).toEqual(notFound);
    expect(call('GET', '/contacts/1/extra')).toEqual(notFound);
  });

  it('answers 405 to a known path with a method it does not take', () => {
    const notAllowed = { status: 405, body: { error: 'Method not allowed' } };
    expect(call('DELETE', '/contacts')).toEqual(notAllowed);
    expect(call('PUT', '/contacts/0123456789abcdef0123456789abcdef', {})).toEqual(notAllowed);
    expect(call('POST', '/contacts/phone/33612345678', {})).toEqual(notAllowed);
  });

  it('updates: tags replace, custom fields merge, checkbox values come back JSON-encoded, unassign', () => {
    const [contact] = create('33612345678', {
      tags: ['lead'],
      custom_fields: { City: 'Lyon' },
      assigned_user: 'agent@example.com',
    }).body.contact;
    const path = `/contacts/${contact.uuid}`;
    const updated = call('PATCH', path, {
      tags: ['vip'],
      custom_fields: { Features: ['Dark Mode', 'Analytics'] },
      identifier: '33700000000',
    });
    expect(updated.body.contact[0]).toMatchObject({
      phoneNumber: '33612345678',
      tags: ['vip'],
      customFields: { City: 'Lyon', Features: '["Dark Mode", "Analytics"]' },
      assignedUser: 'agent@example.com',
    });
    expect(call('PATCH', path, { unassign_user: true }).body.contact[0].assignedUser).toBeNull();
    expect(call('PATCH', path, { tags: ['nope'] })).toEqual({
      status: 422,
      body: { error: 'Tag not found: nope' },
    });
  });

  it('deletes with its status message', () => {
    const [contact] = create('33612345678').body.contact;
    expect(call('DELETE', `/contacts/${contact.uuid}`)).toEqual({
      status: 200,
      body: { status: 'contact was destroyed' },
    });
    expect(call('GET', `/contacts/${contact.uuid}`).status).toBe(404);
  });

  describe('list', () => {
    const createMany = (count: number, start = 0) => {
      for (let index = start; index < start + count; index += 1) {
        create(`336120${String(index).padStart(5, '0')}`, index % 2 ? { tags: ['vip'] } : {});
      }
    };

    it('pages 20 newest first with meta, and follows after= cursors', () => {
      createMany(45);
      const first = call('GET', '/contacts?page=1');
      expect(first.body.contacts).toHaveLength(20);
      expect(first.body.contacts[0].phoneNumber).toBe('33612000044');
      expect(first.body.meta).toMatchObject({ page: 1, pages: 3, next: expect.any(String) });
      createMany(1, 100); // created after the scan started: not part of it
      const second = call('GET', `/contacts?after=${first.body.meta.next}&page=7`);
      expect(second.body.contacts[0].phoneNumber).toBe('33612000024');
      expect(second.body.meta).toMatchObject({ page: 2, pages: 3 });
      const third = call('GET', `/contacts?after=${second.body.meta.next}`);
      expect(third.body.contacts).toHaveLength(5);
      expect(third.body.meta).toEqual({ page: 3, pages: 3, next: null });
      expect(call('GET', '/contacts?page=3').body.contacts).toHaveLength(6);
      expect(call('GET', '/contacts?page=4').body.contacts).toEqual([]);
    });

    it('caps page numbers at 500 and refuses a malformed cursor', () => {
      expect(call('GET', '/contacts?page=501')).toEqual({
        status: 400,
        body: { error: 'Pagination limit exceeded' },
      });
      expect(call('GET', '/contacts?page=500').status).toBe(200);
      expect(call('GET', '/contacts?after=garbage')).toEqual({
        status: 400,
        body: { error: 'Invalid pagination cursor' },
      });
    });

    it('filters by source and by any of the tags, case-insensitively', () => {
      createMany(6);
      expect(call('GET', '/contacts?tags=VIP,sales').body.contacts).toHaveLength(3);
      expect(call('GET', '/contacts?source=telegram').body.contacts).toHaveLength(0);
    });
  });

  it('forgets contacts on reset but keeps its credentials and account', () => {
    create('33612345678');
    emulator.reset();
    expect(emulator.contacts()).toEqual([]);
    expect(create('33612345678', { tags: ['lead'] }).status).toBe(200);
  });
});
