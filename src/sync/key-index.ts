/**
 * The reverse of a link table, provider → contact id → the keys linked to it, kept in step with
 * each change so `findKey` is a lookup and never a scan. Nested maps rather than a joined string,
 * so no key, provider or id can collide with another whatever characters it holds.
 */
export interface KeyIndex {
  /** Notes that `key` now links to `id` at `provider` (and no longer to `previous`, if given). */
  link(key: string, provider: string, id: string, previous?: string): void;
  unlink(key: string, provider: string, id: string): void;
  /** The key linked last among those still linked to `id` at `provider`. */
  find(provider: string, id: string): string | undefined;
}

export function createKeyIndex(): KeyIndex {
  const byProvider = new Map<string, Map<string, Set<string>>>();
  const unlink = (key: string, provider: string, id: string) => {
    const byId = byProvider.get(provider);
    const keys = byId?.get(id);
    if (!byId || !keys) return;
    keys.delete(key);
    if (keys.size === 0) byId.delete(id);
    if (byId.size === 0) byProvider.delete(provider);
  };
  return {
    link(key, provider, id, previous) {
      if (previous !== undefined) unlink(key, provider, previous);
      let byId = byProvider.get(provider);
      if (!byId) {
        byId = new Map();
        byProvider.set(provider, byId);
      }
      let keys = byId.get(id);
      if (!keys) {
        keys = new Set();
        byId.set(id, keys);
      }
      // A Set keeps insertion order: re-adding moves the key to the end, the "linked last" place.
      keys.delete(key);
      keys.add(key);
    },
    unlink,
    find(provider, id) {
      const keys = byProvider.get(provider)?.get(id);
      let last: string | undefined;
      // Almost always one key; several only where keys share a contact on purpose.
      for (const key of keys ?? []) last = key;
      return last;
    },
  };
}

/** A contact id, or a state holding one (a link store's table may keep either). */
type Linked = string | { readonly id: string };
const idOf = (linked: Linked) => (typeof linked === 'string' ? linked : linked.id);

/**
 * Mirrors one change of a `key → provider → id` (or `→ state`) table into `index`, before the
 * table applies it.
 */
export function indexChange(
  index: KeyIndex,
  table: ReadonlyMap<string, ReadonlyMap<string, Linked>>,
  change:
    | { op: 'set'; key: string; provider: string; id: string }
    | { op: 'delete'; key: string; provider?: string },
): void {
  const byProvider = table.get(change.key);
  if (change.op === 'set') {
    const previous = byProvider?.get(change.provider);
    index.link(
      change.key,
      change.provider,
      change.id,
      previous === undefined ? undefined : idOf(previous),
    );
    return;
  }
  if (!byProvider) return;
  for (const [provider, linked] of byProvider) {
    if (change.provider === undefined || change.provider === provider) {
      index.unlink(change.key, provider, idOf(linked));
    }
  }
}
