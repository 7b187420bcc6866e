import { createKeyIndex, indexChange } from './key-index.js';
import type { LinkStore } from './link-store.js';

/**
 * Links kept in this process's memory: the default. They are gone when the process ends, so a
 * later run finds existing contacts through each vendor's upsert instead of the links.
 */
export function memoryLinkStore(): LinkStore {
  const links = new Map<string, Map<string, string>>();
  const keys = createKeyIndex();
  return {
    async get(key) {
      const byProvider = links.get(key);
      return byProvider ? Object.fromEntries(byProvider) : undefined;
    },
    async set(key, provider, id) {
      indexChange(keys, links, { op: 'set', key, provider, id });
      let byProvider = links.get(key);
      if (!byProvider) {
        byProvider = new Map();
        links.set(key, byProvider);
      }
      byProvider.set(provider, id);
    },
    async delete(key, provider) {
      indexChange(
        keys,
        links,
        provider === undefined ? { op: 'delete', key } : { op: 'delete', key, provider },
      );
      if (provider === undefined) {
        links.delete(key);
        return;
      }
      const byProvider = links.get(key);
      byProvider?.delete(provider);
      if (byProvider?.size === 0) links.delete(key);
    },
    async findKey(provider, id) {
      return keys.find(provider, id);
    },
    async close() {},
  };
}
