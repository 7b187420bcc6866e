import { createContactStore } from 'contact-sync';
import { defineProvider } from 'contact-sync/provider';
import { describe, expect, it } from 'vitest';
import { createAcmeEmulator } from '../../examples/acme-provider/src/emulator.js';
import { acmeProvider, provider } from '../../examples/acme-provider/src/index.js';
import { createEmulatorFetch } from '../../src/testing/index.js';

const API_KEY = 'acme-registry-key';

function invalidConfigAt(run: () => unknown, path: string, message?: RegExp) {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toMatchObject({
    code: 'invalid_config',
    issues: [expect.objectContaining({ path })],
  });
  if (message)
    expect((caught as { issues: { message: string }[] }).issues[0]?.message).toMatch(message);
}

describe('createContactStore(config, { providers })', () => {
  it('builds a store of a vendor defined outside the package, by the name its config gives', async () => {
    const emulator = createAcmeEmulator({ apiKey: API_KEY });
    const { fetch } = createEmulatorFetch(emulator, { origin: 'https://api.acme-contacts.test' });
    const store = createContactStore(
      { provider: 'acme', apiKey: API_KEY, fetch, rateLimit: false },
      { providers: [acmeProvider] },
    );
    expect(store.provider).toBe('acme');
    const created = await store.create({ phone: '+33612345678', firstName: 'Ana' });
    expect(emulator.contacts()).toEqual([expect.objectContaining({ id: created.id })]);
    // The shipped vendors stay available next to it.
    const callbell = createContactStore(
      { provider: 'callbell', apiToken: 't' },
      { providers: [acmeProvider] },
    );
    expect(callbell.provider).toBe('callbell');
  });

  it('exports the definition as `provider`, the name a config file module is read by', () => {
    expect(provider).toBe(acmeProvider);
  });

  it('lets the outside factory check its own options, naming them', () => {
    invalidConfigAt(
      () => createContactStore({ provider: 'acme', apiKey: '' }, { providers: [acmeProvider] }),
      'apiKey',
    );
  });

  it('without providers, an outside name is refused and the message says where to give it', () => {
    invalidConfigAt(
      () => createContactStore({ provider: 'acme', apiKey: API_KEY } as never),
      'provider',
      /expected one of 'smspartner', 'callbell', 'notificore'.*given in providers/,
    );
    invalidConfigAt(
      () =>
        createContactStore(
          { provider: 'kontakto', apiKey: API_KEY },
          { providers: [acmeProvider] },
        ),
      'provider',
      /'acme'/,
    );
  });

  it('refuses a name a shipped vendor has, and a name given twice', () => {
    const impostor = defineProvider({ ...acmeProvider, name: 'callbell' });
    invalidConfigAt(
      () => createContactStore({ provider: 'callbell', apiToken: 't' }, { providers: [impostor] }),
      'providers[0].name',
      /ships/,
    );
    invalidConfigAt(
      () =>
        createContactStore(
          { provider: 'acme', apiKey: API_KEY },
          { providers: [acmeProvider, acmeProvider] },
        ),
      'providers[1].name',
      /twice/,
    );
  });

  it.each([
    ['not a list', acmeProvider, 'providers'],
    ['a string', ['contact-sync-acme'], 'providers[0]'],
    ['no factory', [{ ...acmeProvider, create: undefined }], 'providers[0].create'],
    ['a bad name', [{ ...acmeProvider, name: 'Acme Contacts' }], 'providers[0].name'],
    ['no base URL', [{ ...acmeProvider, baseUrl: 'api' }], 'providers[0].baseUrl'],
    ['a bad page size', [{ ...acmeProvider, pageSize: 0 }], 'providers[0].pageSize'],
    ['a bad rate', [{ ...acmeProvider, requestsPerSecond: -1 }], 'providers[0].requestsPerSecond'],
  ])('refuses %s as providers, naming the field', (_name, providers, path) => {
    invalidConfigAt(
      () => createContactStore({ provider: 'acme', apiKey: API_KEY }, { providers } as never),
      path,
    );
  });
});
