import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';
import { useStrictNock } from '../support/strict-nock.js';

/** SMS Partner answering a read of contact A with contact B (the same check as hostile-vendor). */

const ORIGIN = 'https://api.smspartner.fr';
const API_KEY = 'sp-secret-key-0001';
const detailOf = (contactId: string) => {
  const body = JSON.parse(
    readFileSync(
      new URL('../fixtures/smspartner/contact-detail.success.json', import.meta.url),
      'utf8',
    ),
  );
  return { ...body, contact: { ...body.contact, contactId } };
};
const store = () =>
  createSmsPartnerContactStore({
    apiKey: API_KEY,
    groupId: 'a1b2c3d4',
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
  });
const detail = (asked: string) =>
  nock(ORIGIN).get('/v1/contact/detail').query({ apiKey: API_KEY, contactId: asked });

useStrictNock();

describe('an answer about another contact (nock)', () => {
  it('fails a get of A answered with B', async () => {
    detail('contact-a').reply(200, detailOf('contact-b'));
    await expect(store().get('contact-a')).rejects.toMatchObject({
      code: 'invalid_response',
      provider: 'smspartner',
      operation: 'get',
    });
  });

  it('fails an update of A whose read-back is B', async () => {
    nock(ORIGIN).post('/v1/contact/update').reply(200, { success: true, code: 200 });
    detail('contact-a').reply(200, detailOf('contact-b'));
    await expect(store().update('contact-a', { firstName: 'Z' })).rejects.toMatchObject({
      code: 'invalid_response',
      operation: 'update',
    });
  });

  it('keeps the link of a key when the read of its contact answers another id', async () => {
    const links = memoryLinkStore();
    await links.set('crm-a', 'smspartner', 'contact-a');
    detail('contact-a').reply(200, detailOf('contact-b'));
    const sync = createContactSync({ stores: [store()], links });
    const report = await sync.push({ key: 'crm-a', contact: { phone: '+33612345678' } });
    expect(report.results).toMatchObject([
      { provider: 'smspartner', status: 'failed', error: { code: 'invalid_response' } },
    ]);
    expect(await links.get('crm-a')).toEqual({ smspartner: 'contact-a' });
  });
});
