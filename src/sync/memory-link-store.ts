import { randomBytes } from 'node:crypto';
import { createKeyIndex, indexChange } from './key-index.js';
import type { LinkState, LinkStore } from './link-store.js';

/**
 * Links kept in this process's memory: the default. They are gone when the process ends, so a
 * later run finds existing contacts through each vendor's upsert instead of the links. Keeps the
 * whole sync state (fingerprints, mirror marks, tombstones) for as long as the process lives.
 */
export function memoryLinkStore(): LinkStore {
  const links = new Map<string, Map<string, LinkState>>();
  const reverse = createKeyIndex();
  const runs = new Map<string, Set<string>>();
  const tombstones = new Set<string>();
  let secret: string | undefined;

  const setState = (key: string, provider: string, state: LinkState) => {
    indexChange(reverse, links, { op: 'set', key, provider, id: state.id });
    let byProvider = links.get(key);
    if (!byProvider) {
      byProvider = new Map();
      links.set(key, byProvider);
    }
    byProvider.set(provider, copyState(state));
  };

  return {
    async get(key) {
      const byProvider = links.get(key);
      if (!byProvider) return undefined;
      const result: Record<string, string> = {};
      for (const [provider, state] of byProvider) result[provider] = state.id;
      return result;
    },
    async set(key, provider, id) {
      setState(key, provider, { id });
    },
    async getState(key) {
      const byProvider = links.get(key);
      if (!byProvider) return undefined;
      const result: Record<string, LinkState> = {};
      for (const [provider, state] of byProvider) result[provider] = copyState(state);
      return result;
    },
    async setState(key, provider, state) {
      setState(key, provider, state);
    },
    async delete(key, provider) {
      indexChange(
        reverse,
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
      return reverse.find(provider, id);
    },
    async *keys(options) {
      // A snapshot of the keys: a delete while the caller iterates does not skip another key.
      for (const key of [...links.keys()]) {
        options?.signal?.throwIfAborted();
        if (links.has(key)) yield key;
      }
    },
    async markSeen(run, keys) {
      let seen = runs.get(run);
      if (!seen) {
        seen = new Set();
        runs.set(run, seen);
      }
      for (const key of keys) seen.add(key);
    },
    async *unseen(run, options) {
      for (const key of [...links.keys()]) {
        options?.signal?.throwIfAborted();
        if (links.has(key) && !runs.get(run)?.has(key)) yield key;
      }
    },
    async endRun(run) {
      runs.delete(run);
    },
    async tombstone(hash) {
      tombstones.add(hash);
    },
    async untombstone(hash) {
      tombstones.delete(hash);
    },
    async isErased(hashes) {
      return hashes.some((hash) => tombstones.has(hash));
    },
    async tombstoneSecret() {
      secret ??= randomBytes(32).toString('base64url');
      return secret;
    },
    async close() {},
  };
}

/** A copy holding only the fields a `LinkState` has, without `undefined` members. */
export function copyState(state: LinkState): LinkState {
  const copy: LinkState = { id: state.id };
  if (state.fingerprint !== undefined) copy.fingerprint = state.fingerprint;
  if (state.verifiedAt !== undefined) copy.verifiedAt = state.verifiedAt;
  return copy;
}
