import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  createSmsPartnerContactStore,
  type SmsPartnerOptions,
} from '../../providers/smspartner/index.js';
import { useStrictNock } from '../support/strict-nock.js';

const ORIGIN = 'https://api.smspartner.fr';
const API_KEY = 'sp-secret-key-0001';
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/smspartner/${name}.json`, import.meta.url), 'utf8'));

const store = (options: Partial<SmsPartnerOptions> = {}) =>
  createSmsPartnerContactStore({
    apiKey: API_KEY,
    groupId: 'a1b2c3d4',
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    fieldMap: { company: 'custom1' },
    ...options,
  });

const api = () => nock(ORIGIN).matchHeader('accept', /application\/json/);

/** A page of `count` list rows with ids `<prefix><n>`. */
/** A page whose row `id` holds `phone` instead. */
const withPhone = (body: ReturnType<typeof page>, id: string, phone: string) => ({
  ...body,
  datas: body.datas.map((row) => (row.contactId === id ? { ...row, phone } : row)),
});
const page = (count: number, prefix: string, total?: string) => ({
  success: true,
  code: 200,
  ...(total === undefined ? {} : { total }),
  datas: Array.from({ length: count }, (_, index) => ({
    contactId: `${prefix}${index}`,
    phone: `+336${String(10_000_000 + index).padStart(8, '0')}`,
    firstname: '',
    lastname: '',
    url: '',
    shortUrl: '',
    date: '',
    custom1: '',
    custom2: '',
    custom3: '',
    custom4: '',
    createdAt: '2025-03-12T13:49:22+01:00',
    stopSms: false,
  })),
});

useStrictNock();

describe('smspartner wire: contact/add', () => {
  it('posts the key, the group and the write-side contact as JSON', async () => {
    api()
      .post('/v1/contact/add', {
        apiKey: API_KEY,
        groupId: 'a1b2c3d4',
        contact: {
          phoneNumber: '+33612345678',
          firstname: 'Jeanne',
          lastname: 'Martin',
          date: '1990-04-21',
          url: 'https://example.com/p/42',
          custom1: 'ACME',
        },
      })
      .matchHeader('content-type', /application\/json/)
      .reply(200, fixture('contact-add.success'));
    const created = await store().create({
      phone: '+33 6 12 34 56 78',
      firstName: 'Jeanne',
      lastName: 'Martin',
      birthday: '1990-04-21',
      url: 'https://example.com/p/42',
      customFields: { company: 'ACME' },
    });
    expect(created).toEqual({
      id: 'c9f8e7d6',
      provider: 'smspartner',
      phone: '+33612345678',
      firstName: 'Jeanne',
      lastName: 'Martin',
      birthday: '1990-04-21',
      url: 'https://example.com/p/42',
      customFields: { company: 'ACME' },
      warnings: [],
      raw: fixture('contact-add.success').contact,
    });
  });

  it('keeps what was sent when the echo leaves a field out', async () => {
    api()
      .post('/v1/contact/add')
      .reply(200, { success: true, code: 200, contact: { contactId: 77 } });
    const created = await store().create({ phone: '+33612345678', firstName: 'Jeanne' });
    expect(created).toMatchObject({ id: '77', phone: '+33612345678', firstName: 'Jeanne' });
  });

  it('reads code 15 as conflict, on HTTP 200 and on HTTP 409 alike, without retrying', async () => {
    for (const status of [200, 409, 400]) {
      api().post('/v1/contact/add').reply(status, fixture('contact-add.conflict'));
      const error = await store()
        .create({ phone: '+33612345678' })
        .catch((caught) => caught);
      expect(error).toMatchObject({ code: 'conflict', providerCode: 15, status, retryable: false });
    }
  });

  it('turns a code-9 error[] into issues naming the common field, without the values', async () => {
    for (const status of [200, 400]) {
      api().post('/v1/contact/add').reply(status, fixture('contact-add.validation'));
      const error = await store()
        .create({ phone: '+33612345678', firstName: 'Jeanne' })
        .catch((caught) => caught);
      expect(error.code).toBe('invalid_input');
      expect(error.providerCode).toBe(9);
      expect(error.retryable).toBe(false);
      expect(error.issues).toEqual([
        { path: 'firstName', message: 'Cette valeur ne doit pas dépasser 32 caractères.' },
        { path: 'phone', message: 'Le numéro [redacted] est invalide' },
      ]);
      const text = `${error.message} ${JSON.stringify(error)}`;
      expect(text).not.toContain('612345678');
      expect(text).not.toContain(API_KEY);
    }
  });

  it('sends the key only in the body, never in a header or the query', async () => {
    let seen: { headers: Record<string, unknown>; path: string } | undefined;
    api()
      .post('/v1/contact/add')
      .reply(function () {
        seen = { headers: this.req.headers, path: this.req.path };
        return [200, fixture('contact-add.success')];
      });
    await store().create({ phone: '+33612345678' });
    expect(seen?.path).toBe('/v1/contact/add');
    expect(JSON.stringify(seen?.headers)).not.toContain(API_KEY);
  });
});

describe('smspartner wire: contact/update', () => {
  it('posts only the changed fields, "" to clear, then reads the whole contact back', async () => {
    api()
      .post('/v1/contact/update', {
        apiKey: API_KEY,
        contactId: 'c9f8e7d6',
        contact: { firstname: 'Jeanne-Marie', lastname: '', custom1: 'ACME' },
      })
      .reply(200, fixture('contact-update.success'))
      .get('/v1/contact/detail')
      .query({ apiKey: API_KEY, contactId: 'c9f8e7d6' })
      .reply(200, fixture('contact-detail.success'));
    const updated = await store().update('c9f8e7d6', {
      firstName: 'Jeanne-Marie',
      lastName: '',
      customFields: { company: 'ACME' },
    });
    expect(updated).toMatchObject({
      id: 'c9f8e7d6',
      phone: '+33612345678',
      firstName: 'Jeanne-Marie',
      lastName: 'Martin',
      birthday: '1990-04-21',
      customFields: { company: 'ACME' },
      createdAt: '2024-10-02T16:40:05+02:00',
      warnings: [],
    });
  });

  it('sends a new phone as phoneNumber', async () => {
    api()
      .post('/v1/contact/update', {
        apiKey: API_KEY,
        contactId: 'c9f8e7d6',
        contact: { phoneNumber: '+33698765432' },
      })
      .reply(200, { success: true, code: 200, contact: { phoneNumber: '+33698765432' } })
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, fixture('contact-detail.success'));
    await store().update('c9f8e7d6', { phone: '+33698765432' });
  });

  it('only reads the contact when nothing SMS Partner holds changes', async () => {
    api()
      .get('/v1/contact/detail')
      .query({ apiKey: API_KEY, contactId: 'c9f8e7d6' })
      .reply(200, fixture('contact-detail.success'));
    const updated = await store().update('c9f8e7d6', { tags: ['vip'] });
    expect(updated.warnings).toEqual([
      expect.objectContaining({ field: 'tags', reason: 'unsupported' }),
    ]);
  });

  it('rejects not_found for an unknown id (HTTP 200 or 404 with code 404)', async () => {
    for (const status of [200, 404]) {
      api().post('/v1/contact/update').reply(status, fixture('contact-delete.not-found'));
      await expect(store().update('nope', { firstName: 'X' })).rejects.toMatchObject({
        code: 'not_found',
        providerCode: 404,
        operation: 'update',
      });
    }
  });
});

describe('smspartner wire: contact/delete', () => {
  it('posts the key and the contact id', async () => {
    api()
      .post('/v1/contact/delete', { apiKey: API_KEY, contactId: 'c9f8e7d6' })
      .reply(200, fixture('contact-delete.success'));
    await expect(store().delete('c9f8e7d6')).resolves.toBeUndefined();
  });

  it('rejects not_found with code 404', async () => {
    api().post('/v1/contact/delete').reply(200, fixture('contact-delete.not-found'));
    await expect(store().delete('c9f8e7d6')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('smspartner wire: contact/detail', () => {
  it('gets with the key and the id in the query and reads the read-side names', async () => {
    api()
      .get('/v1/contact/detail')
      .query({ apiKey: API_KEY, contactId: 'c9f8e7d6' })
      .reply(200, fixture('contact-detail.success'));
    const contact = await store().get('c9f8e7d6');
    expect(contact).toEqual({
      id: 'c9f8e7d6',
      provider: 'smspartner',
      phone: '+33612345678',
      firstName: 'Jeanne-Marie',
      lastName: 'Martin',
      birthday: '1990-04-21',
      customFields: { company: 'ACME' },
      createdAt: '2024-10-02T16:40:05+02:00',
      warnings: [],
      raw: fixture('contact-detail.success').contact,
    });
  });

  it('accepts a numeric contactId, a string groupId, a phone without +, null and DD-MM-YYYY', async () => {
    api()
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, fixture('contact-detail.string-group-id'));
    const contact = await store().get('4021');
    expect(contact).toMatchObject({
      id: '4021',
      phone: '+33698765432',
      firstName: 'Paul',
      url: 'https://example.com',
      birthday: '2020-06-12',
    });
    expect(contact).not.toHaveProperty('lastName');
    expect(contact).not.toHaveProperty('customFields');
  });

  it('resolves undefined for code 404, on HTTP 200 and on HTTP 404', async () => {
    for (const status of [200, 404]) {
      api()
        .get('/v1/contact/detail')
        .query(true)
        .reply(status, fixture('contact-detail.not-found'));
      expect(await store().get('missing')).toBeUndefined();
    }
  });
});

describe('smspartner wire: contact/list', () => {
  it('gets 1-based pages of 20 with the key and the group, until a short page', async () => {
    api()
      .get('/v1/contact/list')
      .query({ apiKey: API_KEY, groupId: 'a1b2c3d4', page: '1' })
      .reply(200, page(20, 'a', '25'))
      .get('/v1/contact/list')
      .query({ apiKey: API_KEY, groupId: 'a1b2c3d4', page: '2' })
      .reply(200, page(5, 'b', '25'));
    const ids: string[] = [];
    for await (const contact of store().list()) ids.push(contact.id);
    expect(ids).toHaveLength(25);
    expect(ids.slice(19, 21)).toEqual(['a19', 'b0']);
  });

  it('reads the documented page: total as a string, rows under datas, "" as absent', async () => {
    api().get('/v1/contact/list').query(true).reply(200, fixture('contact-list.page'));
    const contacts = [];
    for await (const contact of store().list()) contacts.push(contact);
    expect(contacts.map(({ raw: _raw, ...contact }) => contact)).toEqual([
      {
        id: 'c9f8e7d6',
        provider: 'smspartner',
        phone: '+33612345678',
        firstName: 'Jeanne',
        lastName: 'Martin',
        createdAt: '2025-03-12T13:49:22+01:00',
        warnings: [],
      },
      {
        id: 'd1e2f3a4',
        provider: 'smspartner',
        phone: '+33698765432',
        customFields: { company: 'ACME' },
        createdAt: '2025-03-13T09:00:00+01:00',
        warnings: [],
      },
    ]);
    expect(contacts[0]?.raw).toMatchObject({ stopSms: false, shortUrl: '' });
  });

  it('stops once total contacts were read, without asking for an empty page', async () => {
    api()
      .get('/v1/contact/list')
      .query((query) => query.page === '1')
      .reply(200, page(20, 'a', '40'))
      .get('/v1/contact/list')
      .query((query) => query.page === '2')
      .reply(200, page(20, 'b', '40'));
    const ids: string[] = [];
    for await (const contact of store().list()) ids.push(contact.id);
    expect(ids).toHaveLength(40);
  });

  it('does not trust a total of one page, which may be the page size, and reads on', async () => {
    api()
      .get('/v1/contact/list')
      .query((query) => query.page === '1')
      .reply(200, page(20, 'a', '20'))
      .get('/v1/contact/list')
      .query((query) => query.page === '2')
      .reply(200, page(3, 'b', '20'));
    const ids: string[] = [];
    for await (const contact of store().list()) ids.push(contact.id);
    expect(ids).toHaveLength(23);
  });

  it('without total, follows full pages until an empty one', async () => {
    api()
      .get('/v1/contact/list')
      .query((query) => query.page === '1')
      .reply(200, page(20, 'a'))
      .get('/v1/contact/list')
      .query((query) => query.page === '2')
      .reply(200, page(20, 'b'))
      .get('/v1/contact/list')
      .query((query) => query.page === '3')
      .reply(200, fixture('contact-list.empty'));
    let count = 0;
    for await (const _contact of store().list()) count += 1;
    expect(count).toBe(40);
  });

  it('reads a page without total', async () => {
    api().get('/v1/contact/list').query(true).reply(200, fixture('contact-list.no-total'));
    const ids: string[] = [];
    for await (const contact of store().list()) ids.push(contact.id);
    expect(ids).toEqual(['e5f6a7b8']);
  });

  it('tolerates success:false with code 200 and rows (the doc bug of group/list)', async () => {
    api()
      .get('/v1/contact/list')
      .query(true)
      .reply(200, fixture('contact-list.success-false-code-200'));
    const ids: string[] = [];
    for await (const contact of store().list()) ids.push(contact.id);
    expect(ids).toEqual(['e5f6a7b8']);
  });

  it('fails invalid_response, not forever, when every page repeats the first', async () => {
    api().get('/v1/contact/list').query(true).times(2).reply(200, page(20, 'a'));
    const error = await (async () => {
      for await (const _contact of store().list());
    })().catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_response', operation: 'list' });
  });

  it('findByPhone reads the group once into an index, then answers every lookup from it', async () => {
    // Phones unique across the group, as SMS Partner keeps them: +336<page><row>.
    const distinct = (rows: number, prefix: string, number: string) => {
      const body = page(rows, prefix, '45');
      return {
        ...body,
        datas: body.datas.map((row, index) => ({
          ...row,
          phone: `+3361${number}${String(index).padStart(6, '0')}`,
        })),
      };
    };
    const order: string[] = [];
    for (const [number, rows, prefix] of [
      ['1', 20, 'a'],
      ['2', 20, 'b'],
      ['3', 5, 'c'],
    ] as const) {
      api()
        .get('/v1/contact/list')
        .query((query) => query.page === number)
        .reply(200, () => {
          order.push(number);
          return distinct(rows, prefix, number);
        });
    }
    const contacts = store();
    expect((await contacts.findByPhone('+33611000003'))?.id).toBe('a3');
    expect(order).toEqual(['1', '2', '3']);
    expect((await contacts.findByPhone('+33613000004'))?.id).toBe('c4');
    expect(await contacts.findByPhone('+33699999999')).toBeUndefined();
    expect(order).toEqual(['1', '2', '3']);
  });

  it('builds the index past a stale total, until a short page', async () => {
    for (const [number, rows, prefix] of [
      ['1', 20, 'a'],
      ['2', 20, 'b'],
      ['3', 20, 'c'],
      ['4', 3, 'd'],
    ] as const) {
      api()
        .get('/v1/contact/list')
        .query((query) => query.page === number)
        .reply(200, withPhone(page(rows, prefix, '40'), 'd1', '+33699999999'));
    }
    expect((await store().findByPhone('+33699999999'))?.id).toBe('d1');
  });

  it('a code 15 for a phone the index lacks searches the group from both ends, not the whole of it', async () => {
    const order: string[] = [];
    const serve = (number: string, body: () => unknown) =>
      api()
        .get('/v1/contact/list')
        .query((query) => query.page === number)
        .reply(200, () => {
          order.push(number);
          return body();
        });
    // The pass: 45 contacts, none with the phone.
    serve('1', () => page(20, 'a', '45'));
    serve('2', () => page(20, 'b', '45'));
    serve('3', () => page(5, 'c', '45'));
    api().post('/v1/contact/add').reply(200, { success: false, code: 15, message: 'exists' });
    // Meanwhile the phone landed at the end of the group: page 1, then the last page, finds it.
    serve('1', () => page(20, 'a', '46'));
    serve('3', () => withPhone(page(6, 'c', '46'), 'c5', '+33699999999'));
    const result = await store().upsert({ phone: '+33699999999' });
    expect(result).toMatchObject({ action: 'unchanged', contact: { id: 'c5' } });
    expect(order).toEqual(['1', '2', '3', '1', '3']);
  });
});

describe('smspartner wire: errors', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['error.invalid-key', { code: 'unauthorized', providerCode: 10, retryable: false }],
    ['error.account-deactivated', { code: 'unauthorized', providerCode: 20, retryable: false }],
    ['error.account-blocked', { code: 'unauthorized', providerCode: 30, retryable: false }],
    ['error.api-access-denied', { code: 'unauthorized', providerCode: 40, retryable: false }],
    ['error.ip-not-allowed', { code: 'unauthorized', providerCode: 96, retryable: false }],
    ['error.json-syntax', { code: 'invalid_input', providerCode: 90, retryable: false }],
    ['contact-add.contact-required', { code: 'invalid_input', providerCode: 2 }],
    ['contact-add.group-required', { code: 'invalid_input', providerCode: 1 }],
    ['error.unknown-code', { code: 'provider_error', providerCode: 11, retryable: false }],
    ['error.code-as-string', { code: 'conflict', providerCode: 15 }],
  ];

  for (const [name, expected] of cases) {
    for (const status of [200, 400]) {
      it(`maps ${name} on HTTP ${status}`, async () => {
        api().post('/v1/contact/add').reply(status, fixture(name));
        const error = await store()
          .create({ phone: '+33612345678' })
          .catch((caught) => caught);
        expect(error).toMatchObject({ ...expected, provider: 'smspartner', operation: 'create' });
        expect(error.message).not.toContain(API_KEY);
      });
    }
  }

  it('maps code 10 on HTTP 401 the same, and never retries it', async () => {
    api().get('/v1/contact/detail').query(true).reply(401, fixture('error.invalid-key'));
    const error = await store()
      .get('x')
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'unauthorized', providerCode: 10, status: 401 });
  });

  it('retries body code 500 and succeeds', async () => {
    api()
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, fixture('error.queue'))
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, fixture('contact-detail.success'));
    expect((await store().get('c9f8e7d6'))?.id).toBe('c9f8e7d6');
  });

  it('maps body code 500 to a retryable provider_error once retries run out', async () => {
    api().get('/v1/contact/detail').query(true).times(3).reply(200, fixture('error.queue'));
    const error = await store()
      .get('c9f8e7d6')
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'provider_error', providerCode: 500, retryable: true });
  });

  it('maps 429 and 5xx by status before reading the body', async () => {
    api()
      .get('/v1/contact/detail')
      .query(true)
      .reply(429, fixture('contact-detail.success'), { 'retry-after': '2' });
    const limited = await store({ retry: false })
      .get('x')
      .catch((caught) => caught);
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 2000 });
    api().get('/v1/contact/detail').query(true).reply(503, fixture('error.invalid-key'));
    const failed = await store({ retry: false })
      .get('x')
      .catch((caught) => caught);
    expect(failed).toMatchObject({ code: 'provider_error', status: 503, retryable: true });
  });

  it('maps success:false without code by the HTTP status, else provider_error', async () => {
    api().post('/v1/contact/add').reply(200, fixture('error.no-code'));
    await expect(store().create({ phone: '+33612345678' })).rejects.toMatchObject({
      code: 'provider_error',
      retryable: false,
    });
    api().post('/v1/contact/add').reply(403, fixture('error.no-code'));
    await expect(store().create({ phone: '+33612345678' })).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('reads a body that is not JSON, or lacks success, as invalid_response', async () => {
    api().get('/v1/contact/detail').query(true).reply(200, '<html>maintenance</html>');
    await expect(store().get('x')).rejects.toMatchObject({
      code: 'invalid_response',
      retryable: false,
    });
    api().get('/v1/contact/detail').query(true).reply(200, fixture('error.no-success'));
    await expect(store().get('x')).rejects.toMatchObject({ code: 'invalid_response' });
    api().get('/v1/contact/detail').query(true).reply(404, 'Not Found');
    await expect(store().get('x')).rejects.toMatchObject({ code: 'invalid_response', status: 404 });
    api().get('/v1/contact/detail').query(true).reply(401, 'Unauthorized');
    await expect(store().get('x')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('reads a success without the expected payload as invalid_response', async () => {
    api().get('/v1/contact/detail').query(true).reply(200, { success: true, code: 200 });
    await expect(store().get('x')).rejects.toMatchObject({ code: 'invalid_response' });
    api()
      .post('/v1/contact/add')
      .reply(200, { success: true, code: 200, contact: { phoneNumber: '+33612345678' } });
    await expect(store().create({ phone: '+33612345678' })).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('keeps the key out of errors of GET requests, whose query holds it', async () => {
    api()
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, {
        success: false,
        code: 10,
        message: `Clef API incorrecte: ${API_KEY}`,
      });
    const error = await store()
      .get('x')
      .catch((caught) => caught);
    const text = `${error.message} ${JSON.stringify(error)} ${error.stack}`;
    expect(text).not.toContain(API_KEY);
    expect(error.message).toContain('GET /contact/detail');
  });
});
