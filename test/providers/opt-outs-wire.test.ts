import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { isContactSyncError } from '../../src/errors.js';
import { useStrictNock } from '../support/strict-nock.js';

useStrictNock();

const SP = 'https://api.smspartner.fr';
const NC = 'https://one-api.notificore.ru';
const CB = 'https://api.callbell.eu';
const fast = { retry: { minTimeout: 0, maxTimeout: 0 }, rateLimit: false } as const;

const smsPartner = () =>
  createSmsPartnerContactStore({
    apiKey: 'sp-key-5678',
    groupId: 'g1',
    defaultCountry: 'FR',
    ...fast,
  });
const notificore = (extra = {}) =>
  createNotificoreContactStore({ apiKey: 'test_nc-key', defaultCountry: 'FR', ...fast, ...extra });

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function notificoreLogin() {
  return nock(NC)
    .post('/api/auth/login', { api_key: 'test_nc-key' })
    .reply(200, { bearer: 'jwt-1' });
}

describe('SMS Partner stop list (stop-sms/*)', () => {
  it('declares native opt-outs', () => {
    expect(smsPartner().capabilities.optOut).toBe('native');
  });

  it('reads stop-sms/list: E.164 phones, the Paris local time as UTC, channel sms', async () => {
    // The documented example, with a real number.
    nock(SP)
      .get('/v1/stop-sms/list')
      .query({ apiKey: 'sp-key-5678' })
      .reply(200, {
        success: true,
        code: 200,
        nbData: 1,
        data: [{ id: 19, phoneNumber: '+33612345678', createdAt: '2015-07-20 10:19:45' }],
      });
    const [entry, ...rest] = await collect(smsPartner().optOuts!());
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      phone: '+33612345678',
      provider: 'smspartner',
      channel: 'sms',
      // 10:19:45 in Paris in July is 08:19:45 UTC (summer time).
      at: '2015-07-20T08:19:45.000Z',
    });
  });

  it('adds one number with POST stop-sms/add { apiKey, phoneNumber } and says added', async () => {
    nock(SP)
      .post('/v1/stop-sms/add', { apiKey: 'sp-key-5678', phoneNumber: '+33612345678' })
      .reply(200, { success: true, code: 200, stopId: 300 });
    await expect(smsPartner().optOut!('06 12 34 56 78')).resolves.toBe('added');
  });

  it('reads code 3 ("already in the stop list") as present, not an error', async () => {
    nock(SP)
      .post('/v1/stop-sms/add')
      .reply(200, { success: false, code: 3, message: 'Number is already in stop list' });
    await expect(smsPartner().optOut!('+33612345678')).resolves.toBe('present');
  });

  it('removes by the entry id found in the list (GET stop-sms/delete?apiKey&id)', async () => {
    nock(SP)
      .get('/v1/stop-sms/list')
      .query({ apiKey: 'sp-key-5678' })
      .reply(200, {
        success: true,
        code: 200,
        nbData: 2,
        data: [
          { id: 19, phoneNumber: '+33611111111', createdAt: '2015-07-20 10:19:45' },
          { id: 20, phoneNumber: '+33612345678', createdAt: '2015-07-21 10:19:45' },
        ],
      });
    nock(SP)
      .get('/v1/stop-sms/delete')
      .query({ apiKey: 'sp-key-5678', id: '20' })
      .reply(200, { success: true, code: 200 });
    await expect(smsPartner().optIn!('+33612345678')).resolves.toBe('removed');
  });

  it('says absent when the phone is not on the list, and sends no delete', async () => {
    nock(SP)
      .get('/v1/stop-sms/list')
      .query(true)
      .reply(200, { success: true, code: 200, nbData: 0, data: [] });
    await expect(smsPartner().optIn!('+33612345678')).resolves.toBe('absent');
  });

  it('refuses a bad phone as invalid_input naming phone, before any request', async () => {
    const error = await smsPartner().optOut!('call-me 12345').catch((caught: unknown) => caught);
    expect(isContactSyncError(error) && error.code).toBe('invalid_input');
    expect(isContactSyncError(error) && error.issues?.[0]?.path).toBe('phone');
    expect(String((error as Error).message)).not.toContain('12345');
  });

  it('keeps the key out of a failure message (code 10)', async () => {
    nock(SP).get('/v1/stop-sms/list').query(true).reply(200, { success: false, code: 10 });
    const error = await collect(smsPartner().optOuts!()).catch((caught: unknown) => caught);
    expect(isContactSyncError(error) && error.code).toBe('unauthorized');
    expect(JSON.stringify(error) + String(error)).not.toContain('sp-key-5678');
  });
});

describe('Notificore stop list (/api/stoplist)', () => {
  it('declares native opt-outs', () => {
    expect(notificore().capabilities.optOut).toBe('native');
  });

  it('reads every page, 500 at a time, one opt-out per flagged channel', async () => {
    notificoreLogin();
    const entry = (id: number, phone: number, sms: boolean, viber: boolean) => ({
      id,
      phone,
      created_at: '2022-04-18 19:22:16',
      sms_stoplist: sms,
      viber_stoplist: viber,
    });
    const first = Array.from({ length: 500 }, (_, index) =>
      entry(index + 1, 33600000000 + index, true, false),
    );
    nock(NC)
      .get('/api/stoplist')
      .query({ 'page[limit]': '500', 'page[offset]': '0' })
      .matchHeader('authorization', 'Bearer jwt-1')
      .reply(200, { data: first, total: 501 });
    nock(NC)
      .get('/api/stoplist')
      .query({ 'page[limit]': '500', 'page[offset]': '500' })
      .reply(200, { data: [entry(9392897, 85267202829, true, true)], total: 501 });
    const optOuts = await collect(notificore().optOuts!());
    expect(optOuts).toHaveLength(502);
    expect(optOuts.slice(-2)).toMatchObject([
      {
        phone: '+85267202829',
        channel: 'sms',
        provider: 'notificore',
        at: '2022-04-18T19:22:16.000Z',
      },
      { phone: '+85267202829', channel: 'viber' },
    ]);
  });

  it('attaches only the missing types after a search by phone', async () => {
    notificoreLogin();
    nock(NC)
      .get('/api/stoplist/search')
      .query({ 'search[field]': 'phone', 'search[operator]': '=', 'search[value]': '33612345678' })
      .reply(200, {
        data: [
          {
            id: 7,
            phone: 33612345678,
            created_at: '2023-02-06 12:30:26',
            sms_stoplist: true,
            viber_stoplist: false,
          },
        ],
        meta: { page: { total: 1, limit: 50, offset: 0 } },
      });
    nock(NC)
      .post('/api/stoplist/attach', { phones: [33612345678], types: ['viber'] })
      .reply(201, {
        data: [{ id: 7, phone: 33612345678, sms_stoplist: true, viber_stoplist: true }],
      });
    await expect(notificore().optOut!('+33612345678')).resolves.toBe('added');
  });

  it('is present without a write when every configured type is set', async () => {
    notificoreLogin();
    nock(NC)
      .get('/api/stoplist/search')
      .query(true)
      .reply(200, {
        data: [{ id: 7, phone: 33612345678, sms_stoplist: true, viber_stoplist: false }],
      });
    await expect(notificore({ optOutTypes: ['sms'] }).optOut!('+33612345678')).resolves.toBe(
      'present',
    );
  });

  it('detaches by entry ids with the configured types', async () => {
    notificoreLogin();
    nock(NC)
      .get('/api/stoplist/search')
      .query(true)
      .reply(200, {
        data: [{ id: 7, phone: 33612345678, sms_stoplist: true, viber_stoplist: true }],
      });
    nock(NC)
      .post('/api/stoplist/detach', { ids: [7], types: ['sms', 'viber'] })
      .reply(200, { message: 'Successful detached' });
    await expect(notificore().optIn!('+33612345678')).resolves.toBe('removed');
  });

  it('refuses an unknown optOutTypes value as invalid_config naming it', () => {
    const attempt = () => notificore({ optOutTypes: ['rcs'] });
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    try {
      attempt();
    } catch (error) {
      expect(isContactSyncError(error) && error.issues?.[0]?.path).toMatch(/^optOutTypes/);
    }
  });
});

describe('Callbell opt-outs (blockedAt, read only)', () => {
  it('declares read, has no optOut/optIn, and lists contacts that blocked the number', async () => {
    const store = createCallbellContactStore({ apiToken: 'cb-token', ...fast });
    expect(store.capabilities.optOut).toBe('read');
    expect(store.optOut).toBeUndefined();
    expect(store.optIn).toBeUndefined();
    nock(CB)
      .get('/v1/contacts')
      .query(true)
      .reply(200, {
        contacts: [
          {
            uuid: 'u1',
            name: 'A',
            phoneNumber: '33612345678',
            source: 'whatsapp',
            blockedAt: '2026-05-02T10:00:00Z',
          },
          {
            uuid: 'u2',
            name: 'B',
            phoneNumber: '33611111111',
            source: 'whatsapp',
            blockedAt: null,
          },
        ],
        meta: { page: 1, pages: 1 },
      });
    const optOuts = await collect(store.optOuts!());
    expect(optOuts).toEqual([
      expect.objectContaining({
        phone: '+33612345678',
        provider: 'callbell',
        channel: 'whatsapp',
        id: 'u1',
        at: '2026-05-02T10:00:00.000Z',
      }),
    ]);
  });
});
