import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import type { EmulatorRequest } from '../../sandbox/emulator.js';
import {
  createNotificoreEmulator,
  type NotificoreEmulatorOptions,
} from '../../sandbox/notificore/emulator.js';
import { mountEmulator } from '../support/nock-emulator.js';

const ORIGIN = 'https://one-api.notificore.ru';

function direct(options: NotificoreEmulatorOptions = {}) {
  const emulator = createNotificoreEmulator(options);
  const token = (
    emulator.handle(request('POST', '/api/auth/login', { api_key: 'test-key' })).body as {
      bearer: string;
    }
  ).bearer;
  const call = (method: string, path: string, body?: unknown, query = '') =>
    emulator.handle(request(method, path, body, query, `Bearer ${token}`));
  return { emulator, token, call };
}

function request(
  method: string,
  path: string,
  body?: unknown,
  query = '',
  authorization?: string,
): EmulatorRequest {
  return { method, path, query: new URLSearchParams(query), headers: { authorization }, body };
}

describe('notificore emulator quirks', () => {
  it('issues a JWT-looking token and answers 401 without one or with a stale one', () => {
    const { emulator, token, call } = direct();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(emulator.handle(request('GET', '/api/contacts/fields')).status).toBe(401);
    expect(call('GET', '/api/contacts/fields').status).toBe(200);
    emulator.expireTokens();
    expect(call('GET', '/api/contacts/fields')).toEqual({
      status: 401,
      body: { message: 'Unauthenticated.' },
    });
    const refused = emulator.handle(request('POST', '/api/auth/login', { api_key: 'nope' }));
    expect(refused.status).toBe(401);
  });

  it('expires a token after tokenRequests requests', () => {
    const { call } = direct({ tokenRequests: 2 });
    expect(call('GET', '/api/contacts').status).toBe(200);
    expect(call('GET', '/api/contacts').status).toBe(200);
    expect(call('GET', '/api/contacts').status).toBe(401);
  });

  it('takes the phone as a 9–15 digit integer, unique per account', () => {
    const { call, emulator } = direct();
    const invalid = { status: 422, body: { message: 'Invalid phone number format', errors: [] } };
    expect(call('POST', '/api/contacts', { phone: '33612345678' })).toEqual(invalid);
    expect(call('POST', '/api/contacts', { phone: 12345678 })).toEqual(invalid);
    expect(call('POST', '/api/contacts', { phone: 1234567890123456 })).toEqual(invalid);
    expect(call('POST', '/api/contacts', { phone: 33612345678 }).status).toBe(201);
    expect(call('POST', '/api/contacts', { phone: 33612345678 })).toEqual({
      status: 422,
      body: { message: 'Phone number is already exist in contact book', errors: [] },
    });
    expect(emulator.contacts().map((contact) => contact.phone)).toEqual(['+33612345678']);
  });

  it('stores custom fields by id, refuses an unknown id, and writes created_at as Y-m-d H:i:s', () => {
    const { call } = direct({ now: () => new Date('2026-01-05T10:00:00Z') });
    expect(
      call('POST', '/api/contacts', { phone: 33612345678, fields: [{ id: 1, value: 'x' }] }).status,
    ).toBe(422);
    const created = call('POST', '/api/contacts', {
      phone: 33612345678,
      groups: [56147],
      fields: [{ id: 25964, value: 'Jeanne' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      data: {
        phone: 33612345678,
        fields: [{ id: 25964, value: 'Jeanne' }],
        created_at: '2026-01-05 10:00:00',
        groups: [{ id: 56147, name: 'Newsletter' }],
      },
    });
  });

  it('answers 422 "Invalid contact id" for an unknown id and 204 with no body on delete', () => {
    const { call } = direct();
    const invalid = { status: 422, body: { message: 'Invalid contact id', errors: [] } };
    expect(call('GET', '/api/contacts/42')).toEqual(invalid);
    expect(call('PUT', '/api/contacts/abc', { phone: 33612345678 })).toEqual(invalid);
    const id = (
      call('POST', '/api/contacts', { phone: 33612345678 }).body as { data: { id: number } }
    ).data.id;
    expect(call('PUT', `/api/contacts/${id}`, { fields: [] }).status).toBe(422);
    expect(call('DELETE', `/api/contacts/${id}`)).toEqual({ status: 204 });
    expect(call('DELETE', `/api/contacts/${id}`)).toEqual(invalid);
  });

  it('pages by page[limit] (15–500) and page[offset], with total', () => {
    const { call } = direct();
    for (let index = 0; index < 20; index++)
      call('POST', '/api/contacts', { phone: 33612000000 + index });
    expect(call('GET', '/api/contacts', undefined, 'page[limit]=10').status).toBe(422);
    expect(call('GET', '/api/contacts', undefined, 'page[limit]=501').status).toBe(422);
    const page = call('GET', '/api/contacts', undefined, 'page[limit]=15&page[offset]=15').body as {
      data: unknown[];
      total: number;
    };
    expect(page.data).toHaveLength(5);
    expect(page.total).toBe(20);
    const first = call('GET', '/api/contacts').body as { data: unknown[] };
    expect(first.data).toHaveLength(20);
  });

  it('searches by phone whichever operator key is sent, with meta.page.total', () => {
    const { call } = direct();
    call('POST', '/api/contacts', { phone: 33612345678 });
    for (const key of ['search[operator]', 'search[operation]']) {
      const query = new URLSearchParams({
        'search[field]': 'phone',
        [key]: '=',
        'search[value]': '33612345678',
      });
      const found = call('GET', '/api/contacts/search', undefined, query.toString()).body as {
        data: unknown[];
        meta: { page: { total: number } };
      };
      expect(found.data).toHaveLength(1);
      expect(found.meta.page.total).toBe(1);
    }
  });

  it('answers 429 to a repeated create inside duplicateWindowMs', () => {
    const { call } = direct({ duplicateWindowMs: 1000 });
    expect(call('POST', '/api/contacts', { phone: 33612345678 }).status).toBe(201);
    expect(call('POST', '/api/contacts', { phone: 33612345678 })).toEqual({
      status: 429,
      body: { message: 'Too many duplicate request detected' },
    });
  });

  it('keeps credentials and fields across reset', () => {
    const { call, emulator } = direct();
    call('POST', '/api/contacts', { phone: 33612345678 });
    emulator.reset();
    expect(emulator.contacts()).toEqual([]);
    expect(call('GET', '/api/contacts/fields').status).toBe(200);
  });
});

describe('notificore store against the emulator', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const fieldMap = { firstName: 'First name', lastName: 25965 };
  const fast = { retry: { retries: 2, minTimeout: 0, maxTimeout: 0 } } as const;

  it('logs in again when the JWT expires after N requests, and once only per expiry', async () => {
    const emulator = createNotificoreEmulator({ tokenRequests: 3 });
    const mount = mountEmulator(emulator, ORIGIN);
    const contacts = createNotificoreContactStore({ apiKey: 'test-key', fieldMap, ...fast });
    const created = await contacts.create({ phone: '+33612345678', firstName: 'Ana' });
    for (let index = 0; index < 4; index++) {
      expect((await contacts.get(created.id))?.firstName).toBe('Ana');
    }
    const logins = mount.requests.filter((request) => request.path === '/api/auth/login');
    expect(logins.length).toBe(emulator.issuedTokens().length);
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(
      mount.requests.filter((request) => request.path === '/api/contacts/fields'),
    ).toHaveLength(1);
  });

  it('logs in again when the emulator expires tokens on demand', async () => {
    const emulator = createNotificoreEmulator();
    const mount = mountEmulator(emulator, ORIGIN);
    const contacts = createNotificoreContactStore({ apiKey: 'test-key', ...fast });
    await contacts.create({ phone: '+33612345678' });
    emulator.expireTokens();
    expect((await contacts.findByPhone('+33612345678'))?.phone).toBe('+33612345678');
    expect(mount.requests.filter((request) => request.path === '/api/auth/login')).toHaveLength(2);
  });

  it.each(['list', 'map', 'code-text'] as const)(
    'round-trips fields when responses give them as %s, and upserts unchanged',
    async (fieldsShape) => {
      const emulator = createNotificoreEmulator({ fieldsShape });
      mountEmulator(emulator, ORIGIN);
      const contacts = createNotificoreContactStore({ apiKey: 'test-key', fieldMap, ...fast });
      const input = {
        phone: '+33612345678',
        firstName: 'Ana',
        lastName: 'Lopez',
        customFields: { Company: 'Acme' },
      };
      const created = await contacts.create(input);
      expect(created).toMatchObject(input);
      expect((await contacts.upsert(input)).action).toBe('unchanged');
      const updated = await contacts.upsert({ ...input, customFields: { Company: 'Globex' } });
      expect(updated.action).toBe('updated');
      expect(updated.contact.customFields).toEqual({ Company: 'Globex' });
      expect(updated.contact.firstName).toBe('Ana');
    },
  );

  it('changes a phone number and keeps the other fields', async () => {
    const emulator = createNotificoreEmulator();
    mountEmulator(emulator, ORIGIN);
    const contacts = createNotificoreContactStore({ apiKey: 'test-key', fieldMap, ...fast });
    const created = await contacts.create({ phone: '+33612345678', firstName: 'Ana' });
    const moved = await contacts.update(created.id, { phone: '+33698765432' });
    expect(moved).toMatchObject({ id: created.id, phone: '+33698765432', firstName: 'Ana' });
    expect(emulator.contacts().map((contact) => contact.phone)).toEqual(['+33698765432']);
  });
});
