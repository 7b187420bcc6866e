import { invalidConfig } from '../errors.js';

/**
 * Where ContactSync keeps the links from the user's own key (a CRM id) to each provider's contact
 * id, so a second push updates instead of creating. Bring your own (a table in your database, say)
 * by implementing these methods.
 */
export interface LinkStore extends LinkStateStore {
  /** The links of `key`, provider → contact id; `undefined` when it has none. */
  get(key: string): Promise<Record<string, string> | undefined>;
  /** Links `key` to `id` at `provider`, replacing any previous id there. Resolves once durable. */
  set(key: string, provider: string, id: string): Promise<void>;
  /** Forgets the link of `key` at one `provider`, or every link of `key` when it is omitted. */
  delete(key: string, provider?: string): Promise<void>;
  /**
   * The key linked to contact `id` at `provider` (the reverse of `get`); `undefined` when none is.
   * Where several keys link to one contact (`sharedPhones: 'link'`), the one linked last; once
   * that key's link goes, another key still linked or `undefined` (never a key no longer linked). Must not scan: ContactSync asks it before it writes to a contact it found
   * by phone, to keep one phone to one key.
   */
  findKey(provider: string, id: string): Promise<string | undefined>;
  /** Releases what the store holds (files, connections). */
  close?(): Promise<void>;
}

/**
 * What a link remembers about one key at one provider (design §13): the vendor's contact `id`, a
 * `fingerprint` of what that vendor was last sent and holds, and `verifiedAt`, when the vendor last
 * confirmed it (a write it accepted, or a read that matched). Written only after the vendor
 * confirmed the write.
 */
export interface LinkState {
  /** The provider's contact id. */
  id: string;
  /**
   * A hash of the store's own projection of the input (the fields it sends, normalized) and of the
   * mapping's version; absent for a link written before fingerprints existed, or by `set`.
   */
  fingerprint?: string | undefined;
  /** ISO 8601: when the vendor last confirmed this state (a write accepted, a read that matched). */
  verifiedAt?: string | undefined;
}

/**
 * The sync state a `LinkStore` may keep beside its links (design §13). Every method is optional
 * for a user's own store — ContactSync then keeps today's behaviour (read, compare, write; no
 * mirror, no tombstones) — and every shipped store (memory, file, Redis, PostgreSQL) has them all.
 */
export interface LinkStateStore {
  /** The state of `key`, provider → state; `undefined` when it has no link. A copy. */
  getState?(key: string): Promise<Record<string, LinkState> | undefined>;
  /**
   * Links `key` at `provider` with `state`, replacing the previous state there (as `set` does for
   * the id). `set(key, provider, id)` is `setState(key, provider, { id })`: it drops any
   * fingerprint, so the next push verifies that link once.
   */
  setState?(key: string, provider: string, state: LinkState): Promise<void>;
  /** Every key with at least one link, each once, streamed (never the whole list in memory). */
  keys?(options?: { signal?: AbortSignal | undefined }): AsyncIterable<string>;
  /**
   * Marks `keys` as seen by mirror run `run` (an opaque id). Marks outlive a crash of the run: a
   * rerun with the same id adds to them. They cost the store, not the caller's memory.
   */
  markSeen?(run: string, keys: readonly string[]): Promise<void>;
  /** The linked keys that `run` has not marked, streamed, each once. */
  unseen?(run: string, options?: { signal?: AbortSignal | undefined }): AsyncIterable<string>;
  /** Forgets every mark of `run` (the run is over). Unknown runs are ignored. */
  endRun?(run: string): Promise<void>;
  /** Keeps tombstone `hash` (a keyed hash of an erased key or phone; never the value itself). */
  tombstone?(hash: string): Promise<void>;
  /** Removes tombstone `hash`; ignored when absent. */
  untombstone?(hash: string): Promise<void>;
  /** Whether any of `hashes` is a tombstone. */
  isErased?(hashes: readonly string[]): Promise<boolean>;
  /**
   * The secret that keys the tombstone hashes: made once (random, 32 bytes, hex or base64url) and
   * kept with the store, the same across reopen and across processes sharing the store.
   */
  tombstoneSecret?(): Promise<string>;
}

/** Throws `invalid_config` naming `path` when `value` does not implement `LinkStore`. */
export function assertLinkStore(value: unknown, path: string): asserts value is LinkStore {
  const candidate = value as Partial<Record<keyof LinkStore, unknown>> | null;
  const missing =
    typeof candidate !== 'object' || candidate === null
      ? ['get', 'set', 'delete', 'findKey']
      : (['get', 'set', 'delete', 'findKey'] as const).filter(
          (name) => typeof candidate[name] !== 'function',
        );
  const optional = [
    'close',
    'getState',
    'setState',
    'keys',
    'markSeen',
    'unseen',
    'endRun',
    'tombstone',
    'untombstone',
    'isErased',
    'tombstoneSecret',
  ] as const;
  const notFunctions =
    candidate && typeof candidate === 'object'
      ? optional.filter(
          (name) => candidate[name] !== undefined && typeof candidate[name] !== 'function',
        )
      : [];
  if (missing.length || notFunctions.length) {
    throw invalidConfig([
      {
        path,
        message: `expected a LinkStore (get, set, delete and findKey functions${missing.length ? `; missing ${missing.join(', ')}` : ''}${notFunctions.length ? `; not functions: ${notFunctions.join(', ')}` : ''})`,
      },
    ]);
  }
}
