import assert from 'node:assert/strict';
import type { LinkStore } from '../sync/link-store.js';
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
  const reopen = options.reopenLinkStore;
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
