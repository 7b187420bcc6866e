import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { isContactSyncError } from '../../src/errors.js';
import { useStrictNock } from '../support/strict-nock.js';

useStrictNock();

const KEY = 'sp-logger-key-9731';

function recordingLogger() {
  const lines: { level: string; object: Record<string, unknown>; message?: string }[] = [];
  const at = (level: string) => (object: Record<string, unknown>, message?: string) => {
    lines.push({ level, object, message });
  };
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('the logger option', () => {
  it('logs requests and answers at debug and a retry at warn, pino-style, with no key or phone', async () => {
    const { lines, logger } = recordingLogger();
    const store = createSmsPartnerContactStore({
      apiKey: KEY,
      groupId: 'g1',
      logger,
      retry: { minTimeout: 0, maxTimeout: 0 },
      rateLimit: false,
    });
    nock('https://api.smspartner.fr').get('/v1/contact/detail').query(true).reply(503, {});
    nock('https://api.smspartner.fr')
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, {
        success: true,
        code: 200,
        contact: { contactId: 'c1', phone: '+33612345678' },
      });
    await store.get('c1');

    expect(
      lines.map((line) => [
        line.level,
        line.message,
        line.message === 'contact-sync retry' ? line.object.code : line.object.status,
      ]),
    ).toEqual([
      ['debug', 'contact-sync request', undefined],
      ['warn', 'contact-sync response', 503],
      ['warn', 'contact-sync retry', 'provider_error'],
      ['debug', 'contact-sync request', undefined],
      ['debug', 'contact-sync response', 200],
    ]);
    expect(lines[0]?.object).toMatchObject({
      provider: 'smspartner',
      operation: 'get',
      route: '/contact/detail',
    });
    const text = JSON.stringify(lines);
    for (const secret of [KEY, '+33612345678', '612345678']) expect(text).not.toContain(secret);
  });

  it('refuses something that is not a logger as invalid_config naming it', () => {
    try {
      createSmsPartnerContactStore({ apiKey: KEY, groupId: 'g1', logger: 'debug' as never });
      expect.unreachable();
    } catch (error) {
      expect(isContactSyncError(error) && [error.code, error.issues?.[0]?.path]).toEqual([
        'invalid_config',
        'logger',
      ]);
    }
  });

  it('a logger that throws changes nothing', async () => {
    const store = createSmsPartnerContactStore({
      apiKey: KEY,
      groupId: 'g1',
      rateLimit: false,
      logger: {
        debug: () => {
          throw new Error('broken logger');
        },
      },
    });
    nock('https://api.smspartner.fr')
      .get('/v1/contact/detail')
      .query(true)
      .reply(200, { success: false, code: 404 });
    await expect(store.get('missing')).resolves.toBeUndefined();
  });
});

describe('the logger option of createContactSync', () => {
  it('logs each vendor outcome: failures at warn with key and code, the rest at debug', async () => {
    const { createContactSync, memoryLinkStore } = await import('../../src/sync/index.js');
    const { lines, logger } = recordingLogger();
    const store = createSmsPartnerContactStore({
      apiKey: KEY,
      groupId: 'g1',
      rateLimit: false,
      retry: false,
    });
    const sync = createContactSync({ stores: [store], links: memoryLinkStore(), logger });
    // The upsert reads the group into its phone index first: that read is refused (bad key).
    nock('https://api.smspartner.fr')
      .get('/v1/contact/list')
      .query(true)
      .reply(200, { success: false, code: 10 });
    await sync.push({ key: 'crm-1', contact: { phone: '+33612345678' } });
    expect(lines.map((line) => [line.level, line.message, line.object])).toEqual([
      [
        'warn',
        'contact-sync push failed',
        { key: 'crm-1', provider: 'smspartner', status: 'failed', code: 'unauthorized' },
      ],
    ]);
    expect(() => createContactSync({ stores: [store], logger: 42 as never })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });
});
