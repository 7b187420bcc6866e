import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  createNotificoreContactStore,
  type NotificoreOptions,
} from '../../providers/notificore/index.js';
import { useStrictNock } from '../support/strict-nock.js';

const ORIGIN = 'https://one-api.notificore.ru';
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/notificore/${name}.json`, import.meta.url), 'utf8'));
const JWT = fixture('login.success').bearer as string;
const BEARER = `Bearer ${JWT}`;
const PHONE = '+33612345678';

const store = (options: Partial<NotificoreOptions> = {}) =>
  createNotificoreContactStore({
    apiKey: 'live_key',
    fieldMap: { firstName: 25964, lastName: 25965, birthday: 25967 },
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    ...options,
  });

/** The login every store sends first: the key in the JSON body, no bearer. */
const login = () =>
  nock(ORIGIN, { badheaders: ['authorization'] })
    .post('/api/auth/login', { api_key: 'live_key' })
    .matchHeader('content-type', /application\/json/)
    .reply(200, fixture('login.success'));
const api = () => nock(ORIGIN, { reqheaders: { authorization: BEARER } });

useStrictNock();

describe('notificore wire: create', () => {
  it('logs in, then posts the phone as an integer with groups and fields by id', async () => {
    login();
    api()
      .post('/api/contacts', {
        phone: 33612345678,
        groups: [56147],
        fields: [{ id: 25964, value: 'Jeanne' }],
      })
      .matchHeader('accept', 'application/json')
      .reply(201, fixture('create.success'));
    const contact = await store({ listIds: [56147] }).create({ phone: PHONE, firstName: 'Jeanne' });
    expect(contact).toEqual({
      id: '248452739',
      provider: 'notificore',
      phone: PHONE,
      firstName: 'Jeanne',
      createdAt: '2026-01-05T10:00:00.000Z',
      warnings: [],
      raw: (fixture('create.success') as { data: unknown }).data,
    });
  });

  it('reads the contact back by phone when the create response only echoes the request', async () => {
    login();
    api().post('/api/contacts').reply(201, fixture('create.echo'));
    api().get('/api/contacts/search').query(true).reply(200, fixture('search.success'));
    const contact = await store().create({ phone: PHONE, firstName: 'Jeanne' });
    expect(contact.id).toBe('248452739');
    expect(contact.lastName).toBe('Martin');
  });

  it('maps "already exist" to conflict with the id a search by phone finds', async () => {
    login();
    api().post('/api/contacts').reply(422, fixture('create.phone-exists'));
    api().get('/api/contacts/search').query(true).reply(200, fixture('search.success'));
    const error = await store()
      .create({ phone: PHONE })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'conflict', status: 422, existingId: '248452739' });
    expect(error.retryable).toBe(false);
  });

  it('maps "Invalid phone number format" to invalid_input on phone', async () => {
    login();
    api().post('/api/contacts').reply(422, fixture('create.invalid-phone'));
    const error = await store()
      .create({ phone: PHONE })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', status: 422, retryable: false });
    expect(error.issues).toEqual([{ path: 'phone', message: expect.any(String) }]);
  });

  it('maps any other 422 to invalid_input with the vendor message', async () => {
    login();
    api().post('/api/contacts').reply(422, fixture('create.validation'));
    const error = await store()
      .create({ phone: PHONE })
      .catch((caught) => caught);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('The selected fields.0.id is invalid.');
  });

  it('maps the duplicate-request 429 to rate_limited, retryable', async () => {
    login();
    api().post('/api/contacts').reply(429, fixture('create.duplicate-request'));
    const error = await store({ retry: false })
      .create({ phone: PHONE })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true });
  });

  it('refuses a phone outside 9–15 digits before any request', async () => {
    const error = await store()
      .create({ phone: '+6834002' })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', provider: 'notificore' });
    expect(error.issues).toEqual([{ path: 'phone', message: expect.any(String) }]);
  });
});

describe('notificore wire: get, search, list', () => {
  it.each(['get.success', 'get.fields-map', 'get.fields-string-maps'])(
    'reads custom fields from %s',
    async (name) => {
      login();
      api().get('/api/contacts/248452739').reply(200, fixture(name));
      const contact = await store().get('248452739');
      expect(contact).toMatchObject({
        id: '248452739',
        phone: PHONE,
        firstName: 'Jeanne',
        lastName: 'Martin',
        birthday: '1990-04-21',
        createdAt: '2022-04-28T14:21:16.000Z',
      });
    },
  );

  it('resolves undefined for 422 "Invalid contact id" and for 404', async () => {
    login();
    api().get('/api/contacts/1').reply(422, fixture('get.invalid-id'));
    api().get('/api/contacts/2').reply(404, { message: 'Not Found' });
    const contacts = store();
    expect(await contacts.get('1')).toBeUndefined();
    expect(await contacts.get('2')).toBeUndefined();
  });

  it('encodes the id as one path segment', async () => {
    login();
    api().get('/api/contacts/a%2F..%2Fb').reply(422, fixture('get.invalid-id'));
    expect(await store().get('a/../b')).toBeUndefined();
  });

  it('searches by phone with both operator keys and parses { code, text } fields', async () => {
    login();
    api()
      .get((uri) => {
        const url = new URL(uri, ORIGIN);
        return (
          url.pathname === '/api/contacts/search' &&
          uri.includes('search%5Boperator%5D=%3D') &&
          url.searchParams.get('search[field]') === 'phone' &&
          url.searchParams.get('search[operation]') === '=' &&
          url.searchParams.get('search[value]') === '33612345678'
        );
      })
      .reply(200, fixture('search.success'));
    const contact = await store().findByPhone('+33 6 12 34 56 78');
    expect(contact).toMatchObject({ id: '248452739', firstName: 'Jeanne', lastName: 'Martin' });
  });

  it('resolves undefined when the search finds nothing', async () => {
    login();
    api().get('/api/contacts/search').query(true).reply(200, fixture('search.empty'));
    expect(await store().findByPhone('+33699999999')).toBeUndefined();
  });

  it('follows offset pages until offset reaches total (total and meta.page.total)', async () => {
    login();
    api()
      .get('/api/contacts')
      .query({ 'page[limit]': '15', 'page[offset]': '0' })
      .reply(200, fixture('list.page'));
    api()
      .get('/api/contacts')
      .query({ 'page[limit]': '15', 'page[offset]': '15' })
      .reply(200, fixture('list.meta-total'));
    const seen = [];
    for await (const contact of store({ pageSize: 15 }).list()) seen.push(contact);
    expect(seen.map((contact) => [contact.id, contact.phone])).toEqual([
      ['248452739', '+33612345678'],
      ['248452740', '+33612345679'],
      ['248452741', '+33612345680'],
    ]);
    expect(seen[2]?.lastName).toBe('Durand');
  });

  it('asks for 100 per page by default and stops on an empty page', async () => {
    login();
    api()
      .get('/api/contacts')
      .query({ 'page[limit]': '100', 'page[offset]': '0' })
      .reply(200, { data: [], total: 5000 });
    const seen = [];
    for await (const contact of store().list()) seen.push(contact);
    expect(seen).toEqual([]);
  });

  it('rejects invalid_response for a body without data', async () => {
    login();
    api().get('/api/contacts/5').reply(200, { contact: {} });
    await expect(store().get('5')).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('notificore wire: update and delete', () => {
  it('reads the contact, then PUTs its phone, its lists and every field with the patch over them', async () => {
    login();
    api().get('/api/contacts/248452739').reply(200, fixture('get.success'));
    api()
      .put('/api/contacts/248452739', {
        phone: 33612345678,
        groups: [],
        fields: [
          { id: 25964, value: 'Jeanne-Marie' },
          { id: 25965, value: 'Martin' },
          { id: 25967, value: '' },
        ],
      })
      .reply(200, fixture('update.success'));
    const contact = await store().update('248452739', { firstName: 'Jeanne-Marie', birthday: '' });
    expect(contact).toMatchObject({ firstName: 'Jeanne-Marie', lastName: 'Martin', phone: PHONE });
    expect(contact.birthday).toBeUndefined();
  });

  it('keeps the fields no fieldMap names and the lists the contact is in', async () => {
    login();
    api().get('/api/contacts/248452739').reply(200, fixture('get.in-list'));
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    api()
      .put('/api/contacts/248452739', {
        phone: 33698765432,
        groups: [56147, 1864621],
        fields: [
          { id: 25964, value: 'Jeanne' },
          { id: 25965, value: 'Martin' },
          { id: 25970, value: 'Acme' },
        ],
      })
      .reply(200, fixture('get.in-list'));
    await store().update('248452739', { phone: '+33698765432' });
  });

  it('sends no PUT when the patch changes nothing the contact holds', async () => {
    login();
    api().get('/api/contacts/248452739').reply(200, fixture('get.success'));
    const contact = await store().update('248452739', { phone: PHONE, firstName: 'Jeanne' });
    expect(contact).toMatchObject({ id: '248452739', firstName: 'Jeanne', warnings: [] });
  });

  it('attaches the contact to the configured lists it is not in, through groups/attach', async () => {
    login();
    api().get('/api/contacts/248452739').reply(200, fixture('get.in-list'));
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    api()
      .post('/api/groups/attach', { contacts: [248452739], groups: [777] })
      .matchHeader('content-type', /application\/json/)
      .reply(200, fixture('attach.success'));
    const contact = await store({ listIds: [56147, 777] }).update('248452739', {
      firstName: 'Jeanne',
    });
    expect(contact.warnings).toEqual([]);
  });

  it('sends groups/attach in the shape of the vendor SDK sample ({ contacts, groups } of integers)', async () => {
    const sample = fixture('attach.request') as { contacts: number[]; groups: number[] };
    let sent: unknown;
    login();
    api().get('/api/contacts/248452739').reply(200, fixture('get.success'));
    api()
      .post('/api/groups/attach', (body) => {
        sent = body;
        return true;
      })
      .reply(200, fixture('attach.success'));
    await store({ listIds: sample.groups }).update('248452739', { firstName: 'Jeanne' });
    expect(Object.keys(sent as object).sort()).toEqual(Object.keys(sample).sort());
    expect(sent).toEqual({ contacts: [248452739], groups: sample.groups });
  });

  it('attaches after a create whose answer does not show the lists', async () => {
    login();
    api()
      .post('/api/contacts', { phone: 33612345678, groups: [56147], fields: [] })
      .reply(201, fixture('get.success'));
    api()
      .post('/api/groups/attach', { contacts: [248452739], groups: [56147] })
      .reply(200, fixture('attach.success'));
    const contact = await store({ listIds: [56147] }).create({ phone: PHONE });
    expect(contact.warnings).toEqual([]);
  });

  it('reports a refused attach as a warning on the written contact, naming no phone', async () => {
    login();
    api().get('/api/contacts/248452739').reply(200, fixture('get.success'));
    api().put('/api/contacts/248452739').reply(200, fixture('update.success'));
    api()
      .post('/api/groups/attach')
      .reply(422, { message: 'The selected groups.0 is invalid.', errors: [] });
    const contact = await store({ listIds: [999] }).update('248452739', { firstName: 'Jo' });
    expect(contact.id).toBe('248452739');
    expect(contact.warnings).toEqual([
      { field: 'listIds', reason: 'ignored', message: expect.stringContaining('999') },
    ]);
    expect(contact.warnings[0]?.message).toContain('invalid_input (422)');
    expect(JSON.stringify(contact.warnings)).not.toMatch(/33612345678/);
  });

  it('rejects not_found for an unknown id, read first, and sends no PUT', async () => {
    login();
    api().get('/api/contacts/9').reply(422, fixture('get.invalid-id'));
    api().get('/api/contacts/8').reply(404, { message: 'Not Found' });
    const contacts = store();
    await expect(contacts.update('9', { firstName: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      operation: 'update',
    });
    await expect(contacts.update('8', { phone: PHONE })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('maps a phone change to a taken number to conflict', async () => {
    login();
    api().get('/api/contacts/7').reply(200, fixture('get.success'));
    api().put('/api/contacts/7').reply(422, fixture('create.phone-exists'));
    const holder = { id: 248452739, phone: 33698765432, fields: [], groups: [] };
    api()
      .get('/api/contacts/search')
      .query(true)
      .reply(200, { data: [holder], meta: { page: { total: 1, limit: 50, offset: 0 } } });
    await expect(store().update('7', { phone: '+33698765432' })).rejects.toMatchObject({
      code: 'conflict',
      existingId: '248452739',
    });
  });

  it('deletes with 204 and rejects not_found for 422 "Invalid contact id" and 404', async () => {
    login();
    api().delete('/api/contacts/248452739').reply(204);
    api().delete('/api/contacts/1').reply(422, fixture('get.invalid-id'));
    api().delete('/api/contacts/2').reply(404, { message: 'Not Found' });
    const contacts = store();
    await expect(contacts.delete('248452739')).resolves.toBeUndefined();
    await expect(contacts.delete('1')).rejects.toMatchObject({ code: 'not_found' });
    await expect(contacts.delete('2')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('notificore wire: authentication', () => {
  it('logs in again once after a 401 and retries the request with the new JWT', async () => {
    login();
    api().get('/api/contacts/1').reply(401, fixture('unauthenticated'));
    nock(ORIGIN)
      .post('/api/auth/login', { api_key: 'live_key' })
      .reply(200, { bearer: 'second.jwt.token' });
    nock(ORIGIN, { reqheaders: { authorization: 'Bearer second.jwt.token' } })
      .get('/api/contacts/1')
      .reply(422, fixture('get.invalid-id'));
    expect(await store().get('1')).toBeUndefined();
  });

  it('rejects unauthorized when the renewed JWT is refused too', async () => {
    login();
    api().get('/api/contacts/1').twice().reply(401, fixture('unauthenticated'));
    login();
    const error = await store()
      .get('1')
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
  });

  it.each([
    [401, fixture('login.refused')],
    [422, { message: 'The api key field is required.', errors: { api_key: ['required'] } }],
    [200, { token: 'not-a-bearer' }],
  ])('rejects unauthorized, once, for a login answered %s', async (status, body) => {
    nock(ORIGIN).post('/api/auth/login').reply(status, body);
    const error = await store()
      .get('1')
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'unauthorized', retryable: false });
    expect(JSON.stringify(error)).not.toContain('live_key');
  });

  it('shares one login between concurrent calls and reuses the JWT', async () => {
    login();
    api().get('/api/contacts/1').reply(422, fixture('get.invalid-id'));
    api().get('/api/contacts/2').reply(422, fixture('get.invalid-id'));
    api().get('/api/contacts/3').reply(422, fixture('get.invalid-id'));
    const contacts = store();
    expect(await Promise.all([contacts.get('1'), contacts.get('2')])).toEqual([
      undefined,
      undefined,
    ]);
    expect(await contacts.get('3')).toBeUndefined();
  });

  it('renews the JWT once for concurrent requests answered 401', async () => {
    login();
    api()
      .get(/\/api\/contacts\/[123]$/)
      .times(3)
      .reply(401, fixture('unauthenticated'));
    let logins = 0;
    nock(ORIGIN)
      .post('/api/auth/login')
      .times(3)
      .reply(() => {
        logins += 1;
        return [200, { bearer: 'second.jwt.token' }];
      });
    nock(ORIGIN, { reqheaders: { authorization: 'Bearer second.jwt.token' } })
      .get(/\/api\/contacts\/[123]$/)
      .times(3)
      .reply(422, fixture('get.invalid-id'));
    const contacts = store();
    expect(await Promise.all(['1', '2', '3'].map((id) => contacts.get(id)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(logins).toBe(1);
    nock.cleanAll(); // the two spare logins were there to count, not to be used
  });

  it('lets one caller abort while waiting for a shared login without failing the others', async () => {
    const controller = new AbortController();
    const contacts = store({
      hooks: { onRequest: (event) => event.operation === 'login' && controller.abort() },
    });
    login();
    api().get('/api/contacts/2').reply(422, fixture('get.invalid-id'));
    const [aborted, other] = await Promise.allSettled([
      contacts.get('1', { signal: controller.signal }),
      contacts.get('2'),
    ]);
    expect(aborted).toMatchObject({ status: 'rejected', reason: { code: 'aborted' } });
    expect(other).toEqual({ status: 'fulfilled', value: undefined });
  });

  it('retries a login that failed with 503', async () => {
    nock(ORIGIN).post('/api/auth/login').reply(503, {});
    login();
    api().get('/api/contacts/1').reply(422, fixture('get.invalid-id'));
    expect(await store().get('1')).toBeUndefined();
  });
});
