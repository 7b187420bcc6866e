import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import type { ContactStore } from '../../src/contact-store.js';
import { isContactSyncError } from '../../src/errors.js';
import { createContactSync } from '../../src/sync/index.js';
import type { LinkStore } from '../../src/sync/link-store.js';

/** A link store with the reverse lookup (design §10), kept apart from the shipped ones. */
function reversibleLinks(): LinkStore & {
  findKey(provider: string, id: string): Promise<string | undefined>;
} {
  const links = new Map<string, Record<string, string>>();
  return {
    get: async (key) => links.get(key),
    set: async (key, provider, id) => {
      links.set(key, { ...links.get(key), [provider]: id });
    },
    delete: async (key, provider) => {
      if (!provider) links.delete(key);
      else {
        const { [provider]: _gone, ...rest } = links.get(key) ?? {};
        links.set(key, rest);
      }
    },
    findKey: async (provider, id) =>
      [...links.entries()].find(([, byProvider]) => byProvider[provider] === id)?.[0],
  };
}

let sandbox: Sandbox;
let stores: ContactStore[];

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  stores = sandbox.storeConfigs().map((config) =>
    createContactStore({
      ...config,
      defaultCountry: 'FR',
      retry: { minTimeout: 0, maxTimeout: 0 },
    }),
  );
});

describe('sync.syncOptOuts against the sandbox', () => {
  it('joins every store’s opt-outs with the linked key, and applies them where they are missing', async () => {
    const links = reversibleLinks();
    const sync = createContactSync({ stores, links, defaultCountry: 'FR' });
    await sync.push({ key: 'crm-1', contact: { phone: '+33612345678', firstName: 'Ana' } });
    sandbox.emulators.smspartner.stopList.stop('+33612345678');
    sandbox.emulators.smspartner.stopList.stop('+33699999999');

    const report = await sync.syncOptOuts({ apply: true });

    expect(report.sources).toEqual([
      { provider: 'smspartner', status: 'read', count: 2 },
      { provider: 'callbell', status: 'read', count: 0 },
      { provider: 'notificore', status: 'read', count: 0 },
    ]);
    expect(report.optOuts).toEqual([
      {
        phone: '+33612345678',
        key: 'crm-1',
        seenAt: ['smspartner'],
        channels: ['sms'],
        at: expect.any(String),
        entries: [{ provider: 'smspartner', channel: 'sms', at: expect.any(String) }],
        results: [
          { provider: 'smspartner', status: 'present' },
          { provider: 'callbell', status: 'unsupported' },
          { provider: 'notificore', status: 'added' },
        ],
      },
      expect.objectContaining({ phone: '+33699999999', seenAt: ['smspartner'] }),
    ]);
    expect(report.optOuts[1]?.key).toBeUndefined();
    expect(sandbox.emulators.notificore.stopList.phones('sms').sort()).toEqual([
      '+33612345678',
      '+33699999999',
    ]);
    expect(sandbox.emulators.notificore.stopList.phones('viber').sort()).toEqual([
      '+33612345678',
      '+33699999999',
    ]);

    // A second run finds everything in place: no write, every result present.
    const again = await sync.syncOptOuts({ apply: true });
    for (const optOut of again.optOuts) {
      expect(optOut.seenAt.sort()).toEqual(['notificore', 'smspartner']);
      expect(optOut.results.map((result) => result.status)).toEqual([
        'present',
        'unsupported',
        'present',
      ]);
    }
  });

  it('without apply only reads: nothing is written anywhere', async () => {
    const sync = createContactSync({ stores, defaultCountry: 'FR' });
    sandbox.emulators.smspartner.stopList.stop('+33612345678');
    const report = await sync.syncOptOuts();
    expect(report.optOuts.map((optOut) => [optOut.phone, optOut.results])).toEqual([
      ['+33612345678', []],
    ]);
    expect(sandbox.emulators.notificore.stopList.phones()).toEqual([]);
    const writes = sandbox.requests.filter((request) =>
      /stop-?(sms\/add|list\/attach)/.test(request.path),
    );
    expect(writes).toEqual([]);
  });

  it('never propagates an opt-in: a phone taken off one list stays on the others', async () => {
    const sync = createContactSync({ stores, defaultCountry: 'FR' });
    sandbox.emulators.smspartner.stopList.stop('+33612345678');
    await sync.syncOptOuts({ apply: true });
    const smsPartner = stores.find((store) => store.provider === 'smspartner');
    await expect(smsPartner?.optIn?.('+33612345678')).resolves.toBe('removed');
    const report = await sync.syncOptOuts({ apply: true });
    expect(report.optOuts).toEqual([
      expect.objectContaining({
        phone: '+33612345678',
        seenAt: ['notificore'],
        results: [
          { provider: 'smspartner', status: 'added' },
          { provider: 'callbell', status: 'unsupported' },
          { provider: 'notificore', status: 'present' },
        ],
      }),
    ]);
  });

  it('names a store whose list cannot be read instead of skipping it', async () => {
    const broken = createContactStore({
      ...sandbox.storeConfigs()[0],
      apiKey: 'not-the-sandbox-key',
      retry: false,
    } as never);
    const sync = createContactSync({ stores: [broken, ...stores.slice(1)], defaultCountry: 'FR' });
    const report = await sync.syncOptOuts({ apply: true });
    const source = report.sources[0];
    expect(source?.status).toBe('failed');
    expect(isContactSyncError(source?.error) && source?.error.code).toBe('unauthorized');
  });

  it('refuses bad options as invalid_input naming them', async () => {
    const sync = createContactSync({ stores, defaultCountry: 'FR' });
    await expect(sync.syncOptOuts({ apply: 'yes' as never })).rejects.toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'apply' }],
    });
    await expect(sync.syncOptOuts({ concurrency: 0 })).rejects.toMatchObject({
      issues: [{ path: 'concurrency' }],
    });
  });
});
