import { invalidConfig } from '../errors.js';

/**
 * Where ContactSync keeps the links from the user's own key (a CRM id) to each provider's contact
 * id, so a second push updates instead of creating. Bring your own (a table in your database, say)
 * by implementing these four methods.
 */
export interface LinkStore {
  /** The links of `key`, provider → contact id; `undefined` when it has none. */
  get(key: string): Promise<Record<string, string> | undefined>;
  /** Links `key` to `id` at `provider`, replacing any previous id there. Resolves once durable. */
  set(key: string, provider: string, id: string): Promise<void>;
  /** Forgets the link of `key` at one `provider`, or every link of `key` when it is omitted. */
  delete(key: string, provider?: string): Promise<void>;
  /** Releases what the store holds (files, connections). */
  close?(): Promise<void>;
}

/** Throws `invalid_config` naming `path` when `value` does not implement `LinkStore`. */
export function assertLinkStore(value: unknown, path: string): asserts value is LinkStore {
  const candidate = value as Partial<Record<keyof LinkStore, unknown>> | null;
  const missing =
    typeof candidate !== 'object' || candidate === null
      ? ['get', 'set', 'delete']
      : (['get', 'set', 'delete'] as const).filter((name) => typeof candidate[name] !== 'function');
  if (
    missing.length ||
    (candidate && candidate.close !== undefined && typeof candidate.close !== 'function')
  ) {
    throw invalidConfig([
      {
        path,
        message: `expected a LinkStore (get, set and delete functions${missing.length ? `; missing ${missing.join(', ')}` : ''})`,
      },
    ]);
  }
}
