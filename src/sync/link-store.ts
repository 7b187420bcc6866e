import { invalidConfig } from '../errors.js';

/**
 * Where ContactSync keeps the links from the user's own key (a CRM id) to each provider's contact
 * id, so a second push updates instead of creating. Bring your own (a table in your database, say)
 * by implementing these methods.
 */
export interface LinkStore {
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

/** Throws `invalid_config` naming `path` when `value` does not implement `LinkStore`. */
export function assertLinkStore(value: unknown, path: string): asserts value is LinkStore {
  const candidate = value as Partial<Record<keyof LinkStore, unknown>> | null;
  const missing =
    typeof candidate !== 'object' || candidate === null
      ? ['get', 'set', 'delete', 'findKey']
      : (['get', 'set', 'delete', 'findKey'] as const).filter(
          (name) => typeof candidate[name] !== 'function',
        );
  if (
    missing.length ||
    (candidate && candidate.close !== undefined && typeof candidate.close !== 'function')
  ) {
    throw invalidConfig([
      {
        path,
        message: `expected a LinkStore (get, set, delete and findKey functions${missing.length ? `; missing ${missing.join(', ')}` : ''})`,
      },
    ]);
  }
}
