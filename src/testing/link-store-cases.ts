import assert from 'node:assert/strict';
import type { LinkState, LinkStore } from '../sync/link-store.js';
import type { TestCase } from './test-case.js';

/** Options of {@link linkStoreCases}. */
export interface LinkStoreCasesOptions {
  /** A fresh, empty store. Each case opens its own and closes it when done. */
  makeLinkStore(): Promise<LinkStore> | LinkStore;
  /**
   * A second store over the same data as the last one `makeLinkStore` returned, called after
   * `close()` of the first. Durable stores only: when omitted, the reopen case is left out.
   */
  reopenLinkStore?(): Promise<LinkStore> | LinkStore;
  /**
   * The store keeps the whole sync state (design §13: `getState`, `setState`, `keys`, mirror marks,
   * tombstones): each state case then fails when a method is missing. When false (the default),
   * the state cases check only the methods the store has, as ContactSync uses only those.
   */
  requireState?: boolean | undefined;
}

type Open = (factory: () => Promise<LinkStore> | LinkStore) => Promise<LinkStore>;

/** Runs `body` with an `open` that tracks stores, and closes every one of them afterwards. */
function withStores(body: (open: Open) => Promise<void>): () => Promise<void> {
  return async () => {
    const opened: LinkStore[] = [];
    const open: Open = async (factory) => {
      const store = await factory();
      opened.push(store);
      return store;
    };
    try {
      await body(open);
    } finally {
      for (const store of opened) await store.close?.();
    }
  };
}

/**
 * The behaviour every `LinkStore` shares (the memory, file and Redis stores pass it), as cases a
 * test runner can run: bring your own store (a table in your database, say) and check it here.
 */
export function linkStoreCases(options: LinkStoreCasesOptions): TestCase[] {
  const create = () => options.makeLinkStore();
  const cases: TestCase[] = [
    {
      name: 'resolves undefined for a key it has never seen',
      run: withStores(async (open) => {
        const links = await open(create);
        assert.equal(await links.get('crm-unknown'), undefined);
      }),
    },
    {
      name: 'keeps one id per provider under a key and replaces an id on a second set',
      run: withStores(async (open) => {
        const links = await open(create);
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-1', 'callbell', 'uuid-1');
        await links.set('crm-1', 'smspartner', '102');
        await links.set('crm-2', 'smspartner', '201');
        assert.deepEqual(await links.get('crm-1'), { smspartner: '102', callbell: 'uuid-1' });
        assert.deepEqual(await links.get('crm-2'), { smspartner: '201' });
      }),
    },
    {
      name: 'deletes one provider, then the key once its last link is gone',
      run: withStores(async (open) => {
        const links = await open(create);
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-1', 'callbell', 'uuid-1');
        await links.delete('crm-1', 'smspartner');
        assert.deepEqual(await links.get('crm-1'), { callbell: 'uuid-1' });
        await links.delete('crm-1', 'callbell');
        assert.equal(await links.get('crm-1'), undefined);
      }),
    },
    {
      name: 'deletes every link of a key at once, and ignores deletes of what is not there',
      run: withStores(async (open) => {
        const links = await open(create);
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-1', 'callbell', 'uuid-1');
        await links.set('crm-2', 'callbell', 'uuid-2');
        await links.delete('crm-1');
        await links.delete('crm-404');
        await links.delete('crm-2', 'notificore');
        assert.equal(await links.get('crm-1'), undefined);
        assert.deepEqual(await links.get('crm-2'), { callbell: 'uuid-2' });
      }),
    },
    {
      name: 'stores keys, providers and ids with any characters as given',
      run: withStores(async (open) => {
        const links = await open(create);
        const key = 'crm:42/\u00e9t\u00e9 "quoted"\n{json}';
        await links.set(key, 'my:provider', 'id with spaces:1');
        await links.set('__proto__', 'constructor', 'x');
        assert.deepEqual(await links.get(key), { 'my:provider': 'id with spaces:1' });
        assert.equal(await links.get('crm:42'), undefined);
        const odd = await links.get('__proto__');
        assert.deepEqual(odd && Object.entries(odd), [['constructor', 'x']]);
      }),
    },
    {
      name: 'returns a copy: changing what get returned does not change the links',
      run: withStores(async (open) => {
        const links = await open(create);
        await links.set('crm-1', 'smspartner', '101');
        const first = await links.get('crm-1');
        if (first) first.smspartner = 'changed';
        assert.deepEqual(await links.get('crm-1'), { smspartner: '101' });
      }),
    },
    {
      name: 'keeps every link through many concurrent sets',
      run: withStores(async (open) => {
        const links = await open(create);
        await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            links.set(`crm-${index % 50}`, `provider-${Math.floor(index / 50)}`, String(index)),
          ),
        );
        assert.deepEqual(await links.get('crm-7'), {
          'provider-0': '7',
          'provider-1': '57',
          'provider-2': '107',
          'provider-3': '157',
        });
      }),
    },
    {
      name: 'findKey finds the key linked to a contact id at one provider, and only there',
      run: withStores(async (open) => {
        const links = await open(create);
        assert.equal(await links.findKey('smspartner', '101'), undefined);
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-2', 'callbell', '101');
        await links.set('crm-3', 'smspartner', '301');
        assert.equal(await links.findKey('smspartner', '101'), 'crm-1');
        assert.equal(await links.findKey('callbell', '101'), 'crm-2');
        assert.equal(await links.findKey('smspartner', '301'), 'crm-3');
        assert.equal(await links.findKey('notificore', '101'), undefined);
        assert.equal(await links.findKey('smspartner', '10'), undefined);
      }),
    },
    {
      name: 'findKey follows a replaced id and forgets deleted links',
      run: withStores(async (open) => {
        const links = await open(create);
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-1', 'callbell', 'uuid-1');
        await links.set('crm-1', 'smspartner', '102');
        assert.equal(await links.findKey('smspartner', '101'), undefined);
        assert.equal(await links.findKey('smspartner', '102'), 'crm-1');
        await links.delete('crm-1', 'smspartner');
        assert.equal(await links.findKey('smspartner', '102'), undefined);
        assert.equal(await links.findKey('callbell', 'uuid-1'), 'crm-1');
        await links.delete('crm-1');
        assert.equal(await links.findKey('callbell', 'uuid-1'), undefined);
      }),
    },
    {
      name: 'findKey names the key linked last when several share a contact, and never a key whose link went',
      run: withStores(async (open) => {
        const links = await open(create);
        await links.set('crm-a', 'smspartner', '101');
        await links.set('crm-b', 'smspartner', '101');
        assert.equal(await links.findKey('smspartner', '101'), 'crm-b');
        await links.delete('crm-b');
        // The other key still linked, or none: a store may keep one key per contact.
        assert.notEqual(await links.findKey('smspartner', '101'), 'crm-b');
        await links.set('crm-a', 'smspartner', '102');
        assert.equal(await links.findKey('smspartner', '101'), undefined);
        assert.equal(await links.findKey('smspartner', '102'), 'crm-a');
      }),
    },
    {
      name: 'findKey takes keys, providers and ids with any characters',
      run: withStores(async (open) => {
        const links = await open(create);
        const key = 'crm:42/\u00e9t\u00e9 "quoted"\n{json}';
        await links.set(key, 'my:provider', 'id:with\u0000 odd');
        await links.set('__proto__', 'constructor', 'toString');
        assert.equal(await links.findKey('my:provider', 'id:with\u0000 odd'), key);
        assert.equal(await links.findKey('my', 'provider:id:with\u0000 odd'), undefined);
        assert.equal(await links.findKey('constructor', 'toString'), '__proto__');
        assert.equal(await links.findKey('constructor', '__proto__'), undefined);
      }),
    },
  ];
  cases.push(...stateCases(create, options.requireState ?? false));
  const reopen = options.reopenLinkStore;
  if (reopen) cases.push(...stateReopenCases(create, reopen));
  if (reopen) {
    cases.push({
      name: 'finds every link again after close and reopen',
      run: withStores(async (open) => {
        const links = await create();
        try {
          await links.set('crm-1', 'smspartner', '101');
          await links.set('crm-1', 'callbell', 'uuid-1');
          await links.set('crm-2', 'smspartner', '201');
          await links.delete('crm-1', 'callbell');
        } finally {
          await links.close?.();
        }
        const again = await open(reopen);
        assert.deepEqual(await again.get('crm-1'), { smspartner: '101' });
        assert.equal(await again.findKey('smspartner', '201'), 'crm-2');
        assert.equal(await again.findKey('callbell', 'uuid-1'), undefined);
        assert.deepEqual(await again.get('crm-2'), { smspartner: '201' });
      }),
    });
  }
  return cases;
}

/** Collects an async iterable (a store's `keys` or `unseen`), sorted. */
async function sortedKeys(iterable: AsyncIterable<string>): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of iterable) keys.push(key);
  return keys.sort();
}

/** `name` runs only against stores with every one of `methods`; otherwise it checks nothing. */
function stateCase(
  name: string,
  methods: (keyof LinkStore)[],
  create: () => Promise<LinkStore> | LinkStore,
  required: boolean,
  body: (links: Required<LinkStore>, open: Open) => Promise<void>,
): TestCase {
  return {
    name: `${name} (sync state: ${methods.join(', ')})`,
    run: withStores(async (open) => {
      const links = await open(create);
      // A user's own store may leave the sync state out: ContactSync then reads and compares.
      const missing = methods.filter((method) => typeof links[method] !== 'function');
      assert.ok(!required || missing.length === 0, `the store lacks ${missing.join(', ')}`);
      if (missing.length) return;
      await body(links as Required<LinkStore>, open);
    }),
  };
}

/** The sync state of design §13, for stores that keep it (every shipped store does). */
function stateCases(create: () => Promise<LinkStore> | LinkStore, required: boolean): TestCase[] {
  const full: LinkState = {
    id: '101',
    fingerprint: 'fp-1',
    verifiedAt: '2026-12-01T10:00:00.000Z',
  };
  return [
    stateCase(
      'keeps a fingerprint and verifiedAt beside the id',
      ['getState', 'setState'],
      create,
      required,
      async (links) => {
        await links.setState('crm-1', 'smspartner', full);
        await links.setState('crm-1', 'callbell', { id: 'uuid-1' });
        assert.deepEqual(await links.getState('crm-1'), {
          smspartner: full,
          callbell: { id: 'uuid-1' },
        });
        assert.deepEqual(await links.get('crm-1'), { smspartner: '101', callbell: 'uuid-1' });
        assert.equal(await links.findKey('smspartner', '101'), 'crm-1');
        assert.equal(await links.getState('crm-unknown'), undefined);
      },
    ),
    stateCase(
      'set drops the fingerprint, and a new state replaces the old one whole',
      ['getState', 'setState'],
      create,
      required,
      async (links) => {
        await links.setState('crm-1', 'smspartner', full);
        await links.set('crm-1', 'smspartner', '101');
        assert.deepEqual(await links.getState('crm-1'), { smspartner: { id: '101' } });
        await links.setState('crm-1', 'smspartner', { id: '102', fingerprint: 'fp-2' });
        assert.deepEqual(await links.getState('crm-1'), {
          smspartner: { id: '102', fingerprint: 'fp-2' },
        });
        assert.equal(await links.findKey('smspartner', '101'), undefined);
        assert.equal(await links.findKey('smspartner', '102'), 'crm-1');
      },
    ),
    stateCase(
      'forgets the state with the link, and returns copies',
      ['getState', 'setState'],
      create,
      required,
      async (links) => {
        await links.setState('crm-1', 'smspartner', full);
        await links.setState('crm-1', 'callbell', { id: 'uuid-1', fingerprint: 'fp-c' });
        const got = await links.getState('crm-1');
        if (got?.smspartner) got.smspartner.fingerprint = 'changed';
        assert.equal((await links.getState('crm-1'))?.smspartner?.fingerprint, 'fp-1');
        await links.delete('crm-1', 'smspartner');
        assert.deepEqual(await links.getState('crm-1'), {
          callbell: { id: 'uuid-1', fingerprint: 'fp-c' },
        });
        await links.delete('crm-1');
        assert.equal(await links.getState('crm-1'), undefined);
      },
    ),
    stateCase(
      'keys streams every linked key once, and no deleted one',
      ['keys'],
      create,
      required,
      async (links) => {
        for (let index = 0; index < 30; index += 1) {
          await links.set(`crm-${index}`, 'smspartner', String(index));
          await links.set(`crm-${index}`, 'callbell', `uuid-${index}`);
        }
        await links.delete('crm-3');
        await links.delete('crm-4', 'callbell');
        const expected = Array.from({ length: 30 }, (_, index) => `crm-${index}`)
          .filter((key) => key !== 'crm-3')
          .sort();
        assert.deepEqual(await sortedKeys(links.keys()), expected);
      },
    ),
    stateCase(
      'unseen lists the linked keys a run did not mark, per run',
      ['markSeen', 'unseen', 'endRun'],
      create,
      required,
      async (links) => {
        for (const key of ['crm-a', 'crm-b', 'crm-c', 'crm-d'])
          await links.set(key, 'callbell', key);
        await links.markSeen('run-1', ['crm-a', 'crm-c']);
        await links.markSeen('run-1', ['crm-never-linked']);
        await links.markSeen('run-2', ['crm-b']);
        assert.deepEqual(await sortedKeys(links.unseen('run-1')), ['crm-b', 'crm-d']);
        assert.deepEqual(await sortedKeys(links.unseen('run-2')), ['crm-a', 'crm-c', 'crm-d']);
        await links.delete('crm-d');
        assert.deepEqual(await sortedKeys(links.unseen('run-1')), ['crm-b']);
        await links.endRun('run-1');
        assert.deepEqual(await sortedKeys(links.unseen('run-1')), ['crm-a', 'crm-b', 'crm-c']);
        await links.endRun('run-unknown');
      },
    ),
    stateCase(
      'keeps tombstones until they are removed',
      ['tombstone', 'untombstone', 'isErased'],
      create,
      required,
      async (links) => {
        assert.equal(await links.isErased(['h-1']), false);
        await links.tombstone('h-1');
        await links.tombstone('h-1');
        await links.tombstone('h-2');
        assert.equal(await links.isErased(['h-0', 'h-1']), true);
        assert.equal(await links.isErased(['h-2']), true);
        assert.equal(await links.isErased([]), false);
        await links.untombstone('h-1');
        await links.untombstone('h-404');
        assert.equal(await links.isErased(['h-1']), false);
        assert.equal(await links.isErased(['h-1', 'h-2']), true);
      },
    ),
    stateCase(
      'makes one tombstone secret and keeps it',
      ['tombstoneSecret'],
      create,
      required,
      async (links) => {
        const secret = await links.tombstoneSecret();
        assert.equal(typeof secret, 'string');
        assert.ok(secret.length >= 32, 'a secret of at least 32 characters');
        assert.equal(await links.tombstoneSecret(), secret);
      },
    ),
  ];
}

/** The sync state survives close and reopen, for durable stores. */
function stateReopenCases(
  create: () => Promise<LinkStore> | LinkStore,
  reopen: () => Promise<LinkStore> | LinkStore,
): TestCase[] {
  return [
    {
      name: 'keeps states, marks, tombstones and the tombstone secret across close and reopen (sync state)',
      run: withStores(async (open) => {
        const links = await create();
        let secret: string | undefined;
        try {
          if (!links.getState || !links.setState) return;
          await links.setState('crm-1', 'smspartner', {
            id: '101',
            fingerprint: 'fp-1',
            verifiedAt: '2026-12-01T10:00:00.000Z',
          });
          await links.set('crm-2', 'callbell', 'uuid-2');
          await links.markSeen?.('run-1', ['crm-1']);
          await links.tombstone?.('h-1');
          secret = await links.tombstoneSecret?.();
        } finally {
          await links.close?.();
        }
        const again = await open(reopen);
        assert.deepEqual(await again.getState?.('crm-1'), {
          smspartner: { id: '101', fingerprint: 'fp-1', verifiedAt: '2026-12-01T10:00:00.000Z' },
        });
        assert.deepEqual(await again.getState?.('crm-2'), { callbell: { id: 'uuid-2' } });
        if (again.unseen) assert.deepEqual(await sortedKeys(again.unseen('run-1')), ['crm-2']);
        if (again.isErased) assert.equal(await again.isErased(['h-1']), true);
        if (again.tombstoneSecret) assert.equal(await again.tombstoneSecret(), secret);
      }),
    },
  ];
}
