import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { type BrevoOptions, createBrevoContactStore } from '../../providers/brevo/index.js';
import { isContactSyncError } from '../../src/errors.js';
import { useStrictNock } from '../support/strict-nock.js';

const ORIGIN = 'https://api.brevo.com';
const KEY = 'xkeysib-wire-key-1234';
const PHONE = '+33612345678';

const store = (options: Partial<BrevoOptions> = {}) =>
  createBrevoContactStore({
    apiKey: KEY,
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    rateLimit: false,
    ...options,
  });
const api = () => nock(ORIGIN, { reqheaders: { 'api-key': KEY } });
const ATTRIBUTES = {
  attributes: [
    { name: 'FIRSTNAME', category: 'normal', type: 'text' },
    { name: 'LASTNAME', category: 'normal', type: 'text' },
    { name: 'SEATS', category: 'normal', type: 'float' },
    { name: 'VIP', category: 'normal', type: 'boolean' },
    { name: 'BIRTHDAY', category: 'normal', type: 'date' },
  ],
};
const held = (overrides: Record<string, unknown> = {}) => ({
  id: 42,
  emailBlacklisted: false,
  smsBlacklisted: false,
  whatsappBlacklisted: false,
  listIds: [7],
  createdAt: '2026-01-05T10:00:00.000Z',
  modifiedAt: '2026-02-01T08:30:00.000Z',
  attributes: { SMS: '33612345678', FIRSTNAME: 'Jeanne' },
  statistics: {},
  ...overrides,
});

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isContactSyncError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

useStrictNock();

describe('brevo wire: writes', () => {
  it('creates with the SMS attribute in E.164, the names as attributes and the lists, typed', async () => {
    api().get('/v3/contacts/attributes').reply(200, ATTRIBUTES);
    api()
      .post('/v3/contacts', {
        attributes: { FIRSTNAME: 'Jeanne', SEATS: 12.5, VIP: true, SMS: PHONE },
        listIds: [7],
      })
      .matchHeader('content-type', /application\/json/)
      .reply(201, { id: 42 });
    const contact = await store({
      listIds: [7],
      fieldMap: { seats: 'SEATS', vip: 'vip' },
    }).create({ phone: PHONE, firstName: 'Jeanne', customFields: { seats: '12.50', vip: 'yes' } });
    expect(contact).toMatchObject({
      id: '42',
      provider: 'brevo',
      phone: PHONE,
      firstName: 'Jeanne',
      customFields: { seats: '12.5', vip: 'true' },
    });
  });

  it('with whatsapp: true, writes the same number as WHATSAPP', async () => {
    api()
      .post('/v3/contacts', { attributes: { SMS: PHONE, WHATSAPP: PHONE } })
      .reply(201, { id: 5 });
    const contact = await store({ whatsapp: true }).create({ phone: PHONE });
    expect(contact.id).toBe('5');
  });

  it('refuses a value of the wrong type, naming its path, without writing', async () => {
    api().get('/v3/contacts/attributes').reply(200, ATTRIBUTES);
    const error = await rejection(
      store({ fieldMap: { seats: 'SEATS' } }).create({
        phone: PHONE,
        customFields: { seats: 'many' },
      }),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toEqual([
      { path: 'customFields.seats', message: 'Brevo attribute SEATS (float): expected a number' },
    ]);
  });

  it('refuses an attribute the account lacks, naming its path, without writing', async () => {
    api().get('/v3/contacts/attributes').reply(200, ATTRIBUTES);
    const error = await rejection(store().create({ phone: PHONE, customFields: { shoe: '42' } }));
    expect(error.code).toBe('invalid_input');
    expect(error.issues?.[0]?.path).toBe('customFields.shoe');
    expect(error.issues?.[0]?.message).toMatch(/no contact attribute SHOE/);
  });

  it('updates by contact_id (PUT), then reads the contact back', async () => {
    api().get('/v3/contacts/attributes').reply(200, ATTRIBUTES);
    api()
      .put('/v3/contacts/42', { attributes: { FIRSTNAME: 'Anne' } })
      .query({ identifierType: 'contact_id' })
      .reply(204);
    api()
      .get('/v3/contacts/42')
      .query({ identifierType: 'contact_id' })
      .reply(200, held({ attributes: { SMS: '33612345678', FIRSTNAME: 'Anne' } }));
    const contact = await store().update('42', { firstName: 'Anne' });
    expect(contact).toMatchObject({ id: '42', phone: PHONE, firstName: 'Anne' });
  });

  it('clears with null, and again with "" where Brevo kept the value (both readings)', async () => {
    api().get('/v3/contacts/attributes').reply(200, ATTRIBUTES);
    api()
      .put('/v3/contacts/42', { attributes: { FIRSTNAME: null } })
      .query({ identifierType: 'contact_id' })
      .reply(204);
    api().get('/v3/contacts/42').query({ identifierType: 'contact_id' }).reply(200, held());
    api()
      .put('/v3/contacts/42', { attributes: { FIRSTNAME: '' } })
      .query({ identifierType: 'contact_id' })
      .reply(204);
    api()
      .get('/v3/contacts/42')
      .query({ identifierType: 'contact_id' })
      .reply(200, held({ attributes: { SMS: '33612345678' } }));
    const contact = await store().update('42', { firstName: '' });
    expect(contact.firstName).toBeUndefined();
  });

  it('changes the phone through the SMS attribute', async () => {
    api()
      .put('/v3/contacts/42', { attributes: { SMS: '+33698765432' } })
      .query({ identifierType: 'contact_id' })
      .reply(204);
    api()
      .get('/v3/contacts/42')
      .query({ identifierType: 'contact_id' })
      .reply(200, held({ attributes: { SMS: '33698765432' } }));
    const contact = await store().update('42', { phone: '+33698765432' });
    expect(contact.phone).toBe('+33698765432');
  });

  it('deletes by contact_id; a 404 is not_found', async () => {
    api().delete('/v3/contacts/42').query({ identifierType: 'contact_id' }).reply(204);
    await store().delete('42');
    api()
      .delete('/v3/contacts/43')
      .query({ identifierType: 'contact_id' })
      .reply(404, { code: 'document_not_found', message: 'Contact does not exist' });
    expect((await rejection(store().delete('43'))).code).toBe('not_found');
  });

  it('an id that is no Brevo id names no contact: no request', async () => {
    expect(await store().get('abc')).toBeUndefined();
    expect((await rejection(store().delete('abc'))).code).toBe('not_found');
  });
});

describe('brevo wire: reads', () => {
  it('finds by phone at /contacts/%2B…?identifierType=phone_id; 404 is undefined', async () => {
    api()
      .get('/v3/contacts/%2B33612345678')
      .query({ identifierType: 'phone_id' })
      .reply(200, held());
    expect((await store().findByPhone(PHONE))?.id).toBe('42');
    api()
      .get('/v3/contacts/%2B33698765432')
      .query({ identifierType: 'phone_id' })
      .reply(404, { code: 'document_not_found', message: 'Contact does not exist' });
    expect(await store().findByPhone('+33698765432')).toBeUndefined();
  });

  it('reads the SMS number with or without + (both spellings of the answer)', async () => {
    for (const sms of ['33612345678', '+33612345678', '+33 6 12 34 56 78']) {
      api()
        .get('/v3/contacts/%2B33612345678')
        .query({ identifierType: 'phone_id' })
        .reply(200, held({ attributes: { SMS: sms, FIRSTNAME: 'Jeanne' } }));
      const found = await store({ defaultCountry: 'FR' }).findByPhone('06 12 34 56 78');
      expect(found).toMatchObject({ id: '42', phone: PHONE, firstName: 'Jeanne' });
    }
  });

  it('an SMS-only contact with the @mailin-sms.com placeholder email is read like any other', async () => {
    api()
      .get('/v3/contacts/42')
      .query({ identifierType: 'contact_id' })
      .reply(200, held({ email: '33612345678@mailin-sms.com' }));
    const contact = await store().get('42');
    expect(contact).toMatchObject({ id: '42', phone: PHONE });
    expect(JSON.stringify({ ...contact, raw: undefined })).not.toMatch(/mailin-sms/);
  });

  it('refuses an answer about another id', async () => {
    api().get('/v3/contacts/41').query({ identifierType: 'contact_id' }).reply(200, held());
    expect((await rejection(store().get('41'))).code).toBe('invalid_response');
  });

  it('lists oldest first by offset until count, skipping email-only contacts', async () => {
    const item = (id: number, sms?: string) =>
      held({
        id,
        attributes: sms ? { SMS: sms } : { FIRSTNAME: 'Mail only' },
        statistics: undefined,
      });
    api()
      .get('/v3/contacts')
      .query({ limit: 2, offset: 0, sort: 'asc' })
      .reply(200, { contacts: [item(1, '33611111111'), item(2)], count: 3 });
    api()
      .get('/v3/contacts')
      .query({ limit: 2, offset: 2, sort: 'asc' })
      .reply(200, { contacts: [item(3, '33622222222')], count: 3 });
    const ids: string[] = [];
    for await (const contact of store({ pageSize: 2 }).list()) ids.push(contact.id);
    expect(ids).toEqual(['1', '3']);
  });

  it('names identifier attributes nowhere in customFields, even if listed', async () => {
    api()
      .get('/v3/contacts/42')
      .query({ identifierType: 'contact_id' })
      .reply(
        200,
        held({
          attributes: { SMS: '33612345678', WHATSAPP: '33612345678', EXT_ID: 'x', COMPANY: 'Acme' },
        }),
      );
    const contact = await store().get('42');
    expect(contact?.customFields).toEqual({ company: 'Acme' });
  });
});

describe('brevo wire: errors', () => {
  const duplicate = (body: Record<string, unknown>) => async () => {
    api().post('/v3/contacts').reply(400, body);
    api()
      .get('/v3/contacts/%2B33612345678')
      .query({ identifierType: 'phone_id' })
      .reply(200, held());
    const error = await rejection(store().create({ phone: PHONE }));
    expect(error.code).toBe('conflict');
    expect(error.existingId).toBe('42');
  };
  it(
    'a duplicate SMS is conflict, by metadata.duplicate_identifiers',
    duplicate({
      code: 'invalid_parameter',
      message: 'Unable to create contact',
      metadata: { duplicate_identifiers: ['SMS'] },
    }),
  );
  it(
    'a duplicate SMS is conflict, by code duplicate_parameter',
    duplicate({ code: 'duplicate_parameter', message: 'Contact already exist' }),
  );
  it(
    'a duplicate SMS is conflict, by its message under invalid_parameter',
    duplicate({
      code: 'invalid_parameter',
      message: 'SMS is already associated with another Contact',
    }),
  );

  it('an invalid phone is invalid_input naming phone, not retried', async () => {
    api()
      .post('/v3/contacts')
      .reply(400, { code: 'invalid_parameter', message: 'Invalid phone number' });
    const error = await rejection(store().create({ phone: PHONE }));
    expect(error).toMatchObject({
      code: 'invalid_input',
      providerCode: 'invalid_parameter',
      retryable: false,
    });
    expect(error.issues?.[0]?.path).toBe('phone');
  });

  it('401 is unauthorized and not retried; the key is in no message', async () => {
    api()
      .get('/v3/contacts/1')
      .query(true)
      .reply(401, { code: 'unauthorized', message: 'Key not found' });
    const error = await rejection(store().get('1'));
    expect(error).toMatchObject({ code: 'unauthorized', retryable: false });
    expect(JSON.stringify(error) + error.message).not.toContain(KEY);
  });

  it('429 waits x-sib-ratelimit-reset when Brevo sends no Retry-After', async () => {
    api().get('/v3/contacts/1').query(true).reply(
      429,
      { code: 'too_many_requests', message: 'Too many requests' },
      {
        'x-sib-ratelimit-limit': '10',
        'x-sib-ratelimit-remaining': '0',
        'x-sib-ratelimit-reset': '120',
      },
    );
    const error = await rejection(store({ retry: { maxRetryAfter: 5000 } }).get('1'));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 120_000, retryable: true });
  });

  it('429 waits Retry-After when Brevo sends one', async () => {
    api()
      .get('/v3/contacts/1')
      .query(true)
      .reply(429, {}, { 'retry-after': '90', 'x-sib-ratelimit-reset': '1' });
    const error = await rejection(store({ retry: { maxRetryAfter: 5000 } }).get('1'));
    expect(error.retryAfterMs).toBe(90_000);
  });

  it('425 (too early) is retried', async () => {
    api().post('/v3/contacts').reply(425, { code: 'invalid_parameter', message: 'Too early' });
    // The create is not idempotent: before sending it again, the store looks for what it stored.
    api()
      .get('/v3/contacts/%2B33612345678')
      .query({ identifierType: 'phone_id' })
      .reply(404, { code: 'document_not_found', message: 'Contact does not exist' });
    api().post('/v3/contacts').reply(201, { id: 8 });
    expect((await store().create({ phone: PHONE })).id).toBe('8');
  });

  it('402 (credits) is provider_error, not retried', async () => {
    api().post('/v3/contacts').reply(402, { code: 'not_enough_credits', message: 'No credits' });
    const error = await rejection(store().create({ phone: PHONE }));
    expect(error).toMatchObject({
      code: 'provider_error',
      providerCode: 'not_enough_credits',
      retryable: false,
    });
  });

  it('refuses options it cannot use, naming them', () => {
    for (const [options, path] of [
      [{ fieldMap: { company: 'SMS' } }, 'fieldMap.company'],
      [{ fieldMap: { company: 'FIRSTNAME' } }, 'fieldMap.company'],
      [{ fieldMap: { tags: 'TAGS' } }, 'fieldMap.tags'],
      [{ fieldMap: { birthday: 12 } }, 'fieldMap.birthday'],
      [{ pageSize: 1001 }, 'pageSize'],
      [{ listIds: [0] }, 'listIds.0'],
    ] as const) {
      try {
        store(options as Partial<BrevoOptions>);
        expect.unreachable();
      } catch (error) {
        expect(isContactSyncError(error) && error.code).toBe('invalid_config');
        expect(isContactSyncError(error) && error.issues?.map((issue) => issue.path)).toContain(
          path,
        );
      }
    }
  });
});
