import { createContactStore } from 'contact-sync';
import { type RunningServer, serveEmulators } from 'contact-sync/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAcmeEmulator } from '../../examples/acme-provider/src/emulator.js';
import { acmeProvider } from '../../examples/acme-provider/src/index.js';
import type { AnyStoreConfig } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';

const acme = createAcmeEmulator({ apiKey: 'sandbox-acme-key' });
let sandbox: Sandbox<AnyStoreConfig>;
beforeAll(async () => {
  sandbox = await startSandbox({ emulators: [acme], providers: [acmeProvider] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const acmeConfig = () => sandbox.storeConfigs().find((config) => config.provider === 'acme');

describe('startSandbox({ emulators })', () => {
  it('serves an outside emulator next to the shipped ones, with a store config for it', async () => {
    expect(sandbox.storeConfigs().map((config) => config.provider)).toEqual([
      'smspartner',
      'callbell',
      'notificore',
      'acme',
    ]);
    expect(acmeConfig()).toEqual({
      provider: 'acme',
      apiKey: 'sandbox-acme-key',
      baseUrl: `${sandbox.url}/acme/v2`,
    });
    const store = createContactStore(
      { ...(acmeConfig() as AnyStoreConfig), retry: false },
      { providers: [acmeProvider] },
    );
    const created = await store.create({ phone: '+33612345678', firstName: 'Ana' });
    expect(await store.get(created.id)).toMatchObject({ firstName: 'Ana' });
    expect(acme.contacts()).toHaveLength(1);
    expect(
      sandbox.requests.map(({ provider, method, path, status }) => ({
        provider,
        method,
        path,
        status,
      })),
    ).toEqual([
      { provider: 'acme', method: 'POST', path: '/contacts', status: 201 },
      { provider: 'acme', method: 'GET', path: `/contacts/${created.id}`, status: 200 },
    ]);
  });

  it('applies planned faults and reset to it as to a shipped vendor', async () => {
    const store = createContactStore(
      { ...(acmeConfig() as AnyStoreConfig), retry: false },
      { providers: [acmeProvider] },
    );
    sandbox.inject({ provider: 'acme', status: 503 });
    await expect(store.create({ phone: '+33612345678' })).rejects.toMatchObject({
      code: 'provider_error',
    });
    await store.create({ phone: '+33612345678' });
    sandbox.reset();
    expect(acme.contacts()).toEqual([]);
  });

  it('seeds it through its own store, given its definition', async () => {
    const result = await sandbox.seed('acme', [
      { phone: '+33612345678' },
      { phone: '+33612345678' },
      { phone: '+33698765432', url: 'https://example.com' },
    ]);
    expect(result).toEqual({
      provider: 'acme',
      created: 2,
      refused: [{ index: 1, code: 'conflict' }],
    });
  });

  it('refuses to seed an outside vendor whose definition it was not given', async () => {
    const bare = await startSandbox({ emulators: [createAcmeEmulator({ apiKey: 'k' })] });
    try {
      await expect(bare.seed('acme', [{ phone: '+33612345678' }])).rejects.toMatchObject({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path: 'providers' })],
      });
    } finally {
      await bare.close();
    }
  });

  it.each([
    [
      'a shipped name',
      { ...createAcmeEmulator({ apiKey: 'k' }), provider: 'callbell' },
      'emulators[0].provider',
    ],
    [
      'a name that is no URL segment',
      { ...createAcmeEmulator({ apiKey: 'k' }), provider: 'a/b' },
      'emulators[0].provider',
    ],
    ['no handle', { provider: 'acme', basePath: '/v2' }, 'emulators[0]'],
    [
      'a bad base path',
      { ...createAcmeEmulator({ apiKey: 'k' }), basePath: 'v2' },
      'emulators[0].basePath',
    ],
  ])(
    'refuses an emulator with %s (invalid_config, before listening)',
    async (_name, emulator, path) => {
      await expect(startSandbox({ emulators: [emulator as never] })).rejects.toMatchObject({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path })],
      });
    },
  );

  it('refuses two emulators of one name', async () => {
    const twice = [createAcmeEmulator({ apiKey: 'a' }), createAcmeEmulator({ apiKey: 'b' })];
    await expect(startSandbox({ emulators: twice })).rejects.toMatchObject({
      issues: [
        expect.objectContaining({
          path: 'emulators[1].provider',
          message: expect.stringMatching(/twice/),
        }),
      ],
    });
  });
});

describe('serveEmulators from contact-sync/testing', () => {
  let server: RunningServer;
  const own = createAcmeEmulator({ apiKey: 'served-key' });
  beforeAll(async () => {
    server = await serveEmulators({ emulators: [own] });
  });
  afterAll(() => server.close());

  it('serves a list of emulators under their own names on 127.0.0.1', async () => {
    expect(server.baseUrl('acme')).toBe(`${server.url}/acme/v2`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const store = createContactStore(
      { provider: 'acme', apiKey: 'served-key', baseUrl: server.baseUrl('acme'), retry: false },
      { providers: [acmeProvider] },
    );
    await store.create({ phone: '+33612345678' });
    expect(own.contacts()).toHaveLength(1);
    expect(server.requests).toEqual([expect.objectContaining({ provider: 'acme', status: 201 })]);
  });
});
