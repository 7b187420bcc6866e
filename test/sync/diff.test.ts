import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import type { ContactStore } from '../../src/contact-store.js';
import { changesOf, describeChange } from '../../src/sync/diff.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';

let sandbox: Sandbox;
let stores: ContactStore[];

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  stores = sandbox
    .storeConfigs()
    .map((config) => createContactStore({ ...config, defaultCountry: 'FR' }));
});

const writes = () =>
  sandbox.requests.filter(
    (request) => request.method !== 'GET' && !request.path.includes('auth/login'),
  );

describe('changesOf', () => {
  it('lists set, change, clear and tag additions and removals, and leaves unnamed fields alone', () => {
    const changes = changesOf(
      {
        lastName: 'Durand',
        firstName: '',
        url: 'https://a.example',
        tags: ['vip', 'b'],
        customFields: { company: 'ACME' },
      },
      {
        lastName: 'Martin',
        firstName: 'Jeanne',
        birthday: '1990-01-01',
        tags: ['b', 'old'],
        customFields: { company: 'ACME' },
      },
    );
    expect(changes.map(describeChange)).toEqual([
      'firstName: Jeanne → ∅',
      'lastName: Martin → Durand',
      'url: ∅ → https://a.example',
      '+ tags: vip',
      '- tags: old',
    ]);
  });
});

describe('sync.diff against the sandbox', () => {
  it('says create where nothing holds the phone, and sends only reads', async () => {
    const sync = createContactSync({ stores, links: memoryLinkStore(), defaultCountry: 'FR' });
    const report = await sync.diff({
      key: 'k1',
      contact: { phone: '0612345678', lastName: 'Durand' },
    });
    expect(report.results.map((result) => result.action)).toEqual(['create', 'create', 'create']);
    expect(writes()).toEqual([]);
  });

  it('reads the linked contact and lists field changes; unchanged when a push would write nothing', async () => {
    const links = memoryLinkStore();
    const sync = createContactSync({ stores, links, defaultCountry: 'FR' });
    await sync.push({
      key: 'k1',
      contact: { phone: '0612345678', firstName: 'Jeanne', lastName: 'Martin' },
    });
    const before = writes().length;

    const same = await sync.diff({
      key: 'k1',
      contact: { phone: '0612345678', firstName: 'Jeanne', lastName: 'Martin' },
    });
    expect(same.results.map((result) => [result.action, result.via])).toEqual([
      ['unchanged', 'link'],
      ['unchanged', 'link'],
      ['unchanged', 'link'],
    ]);

    const changed = await sync.diff({
      key: 'k1',
      contact: { phone: '0612345678', firstName: 'Jeanne', lastName: 'Durand' },
    });
    expect(
      Object.fromEntries(
        changed.results.map((result) => [
          result.provider,
          [result.action, result.changes.map(describeChange)],
        ]),
      ),
    ).toEqual({
      smspartner: ['update', ['lastName: Martin → Durand']],
      // Callbell holds one name, composed from first and last: it changes with them.
      callbell: ['update', ['lastName: Martin → Durand', 'name: Jeanne Martin → Jeanne Durand']],
      notificore: ['update', ['lastName: Martin → Durand']],
    });
    expect(writes()).toHaveLength(before);
  });

  it('finds an unlinked contact by phone, and reports bad input as failed without a request', async () => {
    const sync = createContactSync({ stores, links: memoryLinkStore(), defaultCountry: 'FR' });
    await createContactSync({ stores, defaultCountry: 'FR' }).push({
      key: 'elsewhere',
      contact: { phone: '0612345679', firstName: 'Ana' },
    });
    const found = await sync.diff({
      key: 'k2',
      contact: { phone: '0612345679', firstName: 'Anna' },
    });
    expect(found.results.map((result) => [result.action, result.via])).toEqual([
      ['update', 'phone'],
      ['update', 'phone'],
      ['update', 'phone'],
    ]);
    const count = sandbox.requests.length;
    const bad = await sync.diff({ key: 'k3', contact: { phone: 'nope' } });
    expect(
      bad.results.every(
        (result) => result.action === 'failed' && result.error?.code === 'invalid_input',
      ),
    ).toBe(true);
    expect(sandbox.requests.length).toBe(count);
  });
});
