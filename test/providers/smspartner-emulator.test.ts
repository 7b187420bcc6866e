import { describe, expect, it } from 'vitest';
import type { EmulatorRequest } from '../../sandbox/emulator.js';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';

const KEY = 'test-key';

function client(emulator = createSmsPartnerEmulator({ groups: ['group-1', 'group-2'] })) {
  const call = (
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
  ) => {
    const request: EmulatorRequest = {
      method,
      path,
      query: new URLSearchParams(query),
      headers: {},
      body,
    };
    const response = emulator.handle(request);
    // biome-ignore lint/suspicious/noExplicitAny: the tests read loose JSON answers
    return { status: response.status, body: response.body as Record<string, any> };
  };
  return {
    emulator,
    call,
    add: (contact: unknown, groupId = 'group-1') =>
      call('POST', '/contact/add', { apiKey: KEY, groupId, contact }),
    update: (contactId: string, contact: unknown) =>
      call('POST', '/contact/update', { apiKey: KEY, contactId, contact }),
    detail: (contactId: string) =>
      call('GET', '/contact/detail', undefined, { apiKey: KEY, contactId }),
    list: (groupId: string, page?: number) =>
      call('GET', '/contact/list', undefined, {
        apiKey: KEY,
        groupId,
        ...(page ? { page: String(page) } : {}),
      }),
  };
}

describe('smspartner emulator', () => {
  it('answers a wrong or missing key with code 10 in a success:false envelope on HTTP 200', () => {
    const { call } = client();
    for (const response of [
      call('POST', '/contact/add', {
        apiKey: 'nope',
        groupId: 'group-1',
        contact: { phoneNumber: '+33612345678' },
      }),
      call('GET', '/contact/list', undefined, { groupId: 'group-1' }),
      // A GET carries the key in the query: one in a body does not count.
      call('GET', '/contact/detail', { apiKey: KEY }, { contactId: 'x' }),
    ]) {
      expect(response).toEqual({
        status: 200,
        body: { success: false, code: 10, message: expect.any(String) },
      });
    }
  });

  it('echoes the contact sent with an opaque string contactId', () => {
    const { add } = client();
    const first = add({ phoneNumber: '+33612345678', firstname: 'Jeanne' });
    const second = add({ phoneNumber: '+33612345679' });
    expect(first.body).toEqual({
      success: true,
      code: 200,
      contact: { phoneNumber: '+33612345678', firstname: 'Jeanne', contactId: expect.any(String) },
    });
    expect(first.body.contact.contactId).toMatch(/^[0-9a-f]{8}$/);
    expect(second.body.contact.contactId).not.toBe(first.body.contact.contactId);
  });

  it('keeps a phone unique per group only (code 15), across its written forms', () => {
    const { add, emulator } = client();
    expect(add({ phoneNumber: '+33612345678' }).body.success).toBe(true);
    expect(add({ phoneNumber: '06 12 34 56 78' }).body).toMatchObject({ success: false, code: 15 });
    expect(add({ phoneNumber: '+33612345678' }, 'group-2').body.success).toBe(true);
    expect(emulator.contacts().map((contact) => contact.phone)).toEqual([
      '+33612345678',
      '+33612345678',
    ]);
  });

  it('answers the documented codes: 1 group missing, 2 contact missing, 404 unknown group, 9 invalid fields', () => {
    const { call, add } = client();
    expect(
      call('POST', '/contact/add', { apiKey: KEY, contact: { phoneNumber: '+33612345678' } }).body
        .code,
    ).toBe(1);
    expect(call('POST', '/contact/add', { apiKey: KEY, groupId: 'group-1' }).body.code).toBe(2);
    expect(add({ phoneNumber: '+33612345678' }, 'nope').body.code).toBe(404);
    const invalid = add({
      phoneNumber: '+33612345678',
      firstname: 'x'.repeat(33),
      date: '21/04/1990',
      url: 'ftp://x',
    });
    expect(invalid.body).toEqual({
      success: false,
      code: 9,
      error: [
        { elementId: 'contact[firstname]', message: expect.any(String) },
        { elementId: 'contact[date]', message: expect.any(String) },
        { elementId: 'contact[url]', message: expect.any(String) },
      ],
    });
    expect(add({ phoneNumber: '12' }).body.code).toBe(9);
  });

  it('answers malformed JSON with code 90', () => {
    expect(client().call('POST', '/contact/add', '{"apiKey": ').body).toMatchObject({
      success: false,
      code: 90,
    });
  });

  it('returns the read side: phone in E.164, shortUrl, "" for unset, groupId as a number', () => {
    const { add, detail } = client();
    const id = add({
      phoneNumber: '0612345678',
      lastname: 'Martin',
      shortUrlPartnr: 'https://example.com/long',
    }).body.contact.contactId;
    expect(detail(id).body).toEqual({
      success: true,
      code: 200,
      contact: {
        contactId: id,
        phone: '+33612345678',
        firstname: '',
        lastname: 'Martin',
        url: '',
        shortUrl: 'https://example.com/long',
        date: '',
        custom1: '',
        custom2: '',
        custom3: '',
        custom4: '',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
        stopSms: false,
        groupId: 6363,
      },
    });
    expect(detail('missing').body).toMatchObject({ success: false, code: 404 });
    expect(client().call('GET', '/contact/detail', undefined, { apiKey: KEY }).body.code).toBe(1);
  });

  it('updates only the fields sent, echoes only them, and clears with ""', () => {
    const { add, update, detail } = client();
    const id = add({
      phoneNumber: '+33612345678',
      firstname: 'Jeanne',
      lastname: 'Martin',
      custom1: 'A',
    }).body.contact.contactId;
    expect(update(id, { firstname: 'Ana', custom1: '' }).body).toEqual({
      success: true,
      code: 200,
      contact: { firstname: 'Ana', custom1: '', contactId: id },
    });
    expect(detail(id).body.contact).toMatchObject({
      firstname: 'Ana',
      lastname: 'Martin',
      custom1: '',
    });
    expect(update(id, {}).body.code).toBe(2);
    expect(update('missing', { firstname: 'x' }).body.code).toBe(404);
    expect(update(id, { lastname: 'y'.repeat(40) }).body.code).toBe(9);
  });

  it('changes a phone through update, refusing one another contact of the group holds', () => {
    const { add, update, detail } = client();
    const id = add({ phoneNumber: '+33612345678' }).body.contact.contactId;
    add({ phoneNumber: '+33612345679' });
    expect(update(id, { phoneNumber: '+33612345679' }).body.code).toBe(15);
    expect(update(id, { phoneNumber: '+33612345678' }).body.success).toBe(true);
    expect(update(id, { phoneNumber: '+33698765432' }).body.success).toBe(true);
    expect(detail(id).body.contact.phone).toBe('+33698765432');
  });

  it('lists 20 per page, 1-based, total as a string, rows under datas', () => {
    const { add, list } = client();
    for (let index = 0; index < 45; index += 1)
      add({ phoneNumber: `+336${String(12_000_000 + index)}` });
    add({ phoneNumber: '+33699999999' }, 'group-2');
    const pages = [list('group-1'), list('group-1', 2), list('group-1', 3), list('group-1', 4)];
    expect(pages.map((page) => page.body.datas.length)).toEqual([20, 20, 5, 0]);
    expect(pages.map((page) => page.body.total)).toEqual(['45', '45', '45', '45']);
    expect(pages[1]?.body.currentPage).toBe(2);
    expect(pages[0]?.body.datas[0]).not.toHaveProperty('groupId');
    expect(pages[0]?.body.datas[0]).toHaveProperty('phone', '+33612000000');
    expect(list('unknown').body.code).toBe(404);
  });

  it('deletes a contact, then answers 404 for it', () => {
    const { add, call, emulator } = client();
    const id = add({ phoneNumber: '+33612345678' }).body.contact.contactId;
    expect(call('POST', '/contact/delete', { apiKey: KEY, contactId: id }).body).toEqual({
      success: true,
      code: 200,
    });
    expect(call('POST', '/contact/delete', { apiKey: KEY, contactId: id }).body.code).toBe(404);
    expect(call('POST', '/contact/delete', { apiKey: KEY }).body.code).toBe(1);
    expect(emulator.contacts()).toEqual([]);
  });

  it('answers a bulk add with its own envelope: groupe, results of failures, rapport', () => {
    const { call, add } = client();
    add({ phoneNumber: '+33600000000' });
    const response = call('POST', '/contact/add', {
      apiKey: KEY,
      groupId: 'group-1',
      contactsList: [
        { phoneNumber: '0600000000' },
        { phoneNumber: '0600000001', firstname: 'B' },
        { phoneNumber: 'x' },
      ],
    });
    expect(response.body).not.toHaveProperty('success');
    expect(response.body).toMatchObject({
      groupe: { name: 'group-1', token: 'group-1' },
      results: [
        { success: false, code: 15, phoneNumber: '+33600000000' },
        { success: false, code: 9 },
      ],
      rapport: { nbline: 3, nbline_imported: 1, errors: { allreadyInGroupe: 1, invalidePhone: 1 } },
    });
  });

  it('manages groups: add, list, delete (POST or DELETE) with their contacts', () => {
    const { call, add, emulator } = client();
    const created = call('POST', '/group/add', { apiKey: KEY, name: 'Newsletter FR' }).body;
    expect(created).toMatchObject({
      success: true,
      code: 200,
      name: 'Newsletter FR',
      groupId: expect.any(String),
    });
    add({ phoneNumber: '+33612345678' }, created.groupId);
    expect(call('GET', '/group/list', undefined, { apiKey: KEY }).body.groups).toHaveLength(3);
    expect(
      call('DELETE', '/group/delete', { apiKey: KEY, groupId: created.groupId }).body.success,
    ).toBe(true);
    expect(emulator.contacts()).toEqual([]);
    expect(emulator.groups()).toEqual(['group-1', 'group-2']);
  });

  it('answers unknown paths and methods outside the envelope', () => {
    const { call } = client();
    expect(call('GET', '/contact/search', undefined, { apiKey: KEY }).status).toBe(404);
    expect(call('GET', '/contact/add', undefined, { apiKey: KEY }).status).toBe(405);
  });

  it('reset forgets contacts and groups made since, keeping the configured ones', () => {
    const { add, call, emulator } = client();
    add({ phoneNumber: '+33612345678' });
    call('POST', '/group/add', { apiKey: KEY, name: 'Extra' });
    emulator.reset();
    expect(emulator.contacts()).toEqual([]);
    expect(emulator.groups()).toEqual(['group-1', 'group-2']);
    expect(emulator.basePath).toBe('/v1');
  });
});
