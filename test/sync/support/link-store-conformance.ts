import { afterEach, describe, expect, it } from 'vitest';
import type { LinkStore } from '../../../src/sync/index.js';

export interface LinkStoreHarness {
  /** A fresh, empty store. */
  create(): Promise<LinkStore> | LinkStore;
  /** A second store over the same data (durable stores only), after `close()` of the first. */
  reopen?(): Promise<LinkStore> | LinkStore;
}

/** The behaviour every LinkStore shares, run against each implementation. */
export function describeLinkStore(name: string, harness: LinkStoreHarness): void {
  describe(`${name} (LinkStore conformance)`, () => {
    const opened: LinkStore[] = [];
    const open = async (factory: () => Promise<LinkStore> | LinkStore) => {
      const store = await factory();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close?.();
    });

    it('resolves undefined for a key it has never seen', async () => {
      const links = await open(harness.create);
      expect(await links.get('crm-unknown')).toBeUndefined();
    });

    it('keeps one id per provider under a key and replaces an id on a second set', async () => {
      const links = await open(harness.create);
      await links.set('crm-1', 'smspartner', '101');
      await links.set('crm-1', 'callbell', 'uuid-1');
      await links.set('crm-1', 'smspartner', '102');
      await links.set('crm-2', 'smspartner', '201');
      expect(await links.get('crm-1')).toEqual({ smspartner: '102', callbell: 'uuid-1' });
      expect(await links.get('crm-2')).toEqual({ smspartner: '201' });
    });

    it('deletes one provider, then the key once its last link is gone', async () => {
      const links = await open(harness.create);
      await links.set('crm-1', 'smspartner', '101');
      await links.set('crm-1', 'callbell', 'uuid-1');
      await links.delete('crm-1', 'smspartner');
      expect(await links.get('crm-1')).toEqual({ callbell: 'uuid-1' });
      await links.delete('crm-1', 'callbell');
      expect(await links.get('crm-1')).toBeUndefined();
    });

    it('deletes every link of a key at once, and ignores deletes of what is not there', async () => {
      const links = await open(harness.create);
      await links.set('crm-1', 'smspartner', '101');
      await links.set('crm-1', 'callbell', 'uuid-1');
      await links.set('crm-2', 'callbell', 'uuid-2');
      await links.delete('crm-1');
      await links.delete('crm-404');
      await links.delete('crm-2', 'notificore');
      expect(await links.get('crm-1')).toBeUndefined();
      expect(await links.get('crm-2')).toEqual({ callbell: 'uuid-2' });
    });

    it('stores keys, providers and ids with any characters as given', async () => {
      const links = await open(harness.create);
      const key = 'crm:42/\u00e9t\u00e9 "quoted"\n{json}';
      await links.set(key, 'my:provider', 'id with spaces:1');
      await links.set('__proto__', 'constructor', 'x');
      expect(await links.get(key)).toEqual({ 'my:provider': 'id with spaces:1' });
      expect(await links.get('crm:42')).toBeUndefined();
      const odd = await links.get('__proto__');
      expect(odd && Object.entries(odd)).toEqual([['constructor', 'x']]);
    });

    it('returns a copy: changing what get returned does not change the links', async () => {
      const links = await open(harness.create);
      await links.set('crm-1', 'smspartner', '101');
      const first = await links.get('crm-1');
      if (first) first.smspartner = 'changed';
      expect(await links.get('crm-1')).toEqual({ smspartner: '101' });
    });

    it('keeps every link through many concurrent sets', async () => {
      const links = await open(harness.create);
      await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          links.set(`crm-${index % 50}`, `provider-${Math.floor(index / 50)}`, String(index)),
        ),
      );
      expect(await links.get('crm-7')).toEqual({
        'provider-0': '7',
        'provider-1': '57',
        'provider-2': '107',
        'provider-3': '157',
      });
    });

    const { reopen } = harness;
    if (reopen) {
      it('finds every link again after close and reopen', async () => {
        const links = await harness.create();
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-1', 'callbell', 'uuid-1');
        await links.set('crm-2', 'smspartner', '201');
        await links.delete('crm-1', 'callbell');
        await links.close?.();
        const again = await open(reopen);
        expect(await again.get('crm-1')).toEqual({ smspartner: '101' });
        expect(await again.get('crm-2')).toEqual({ smspartner: '201' });
      });
    }
  });
}
