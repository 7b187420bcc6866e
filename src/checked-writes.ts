import type { ContactInput, ContactPatch, Warning } from './contact.js';
import type {
  CallOptions,
  ReconcileResult,
  UpsertManyOptions,
  UpsertOptions,
  UpsertResult,
} from './contact-store.js';

/**
 * The internal entry of a store built by `defineContactStore`, through which `ContactSync` hands
 * over an input it has already validated (the strict schema, the phone in E.164), so a write is
 * validated once. Not enumerable and not public: a store of the user's own has none and gets the
 * public calls. `Symbol.for` so that it is found across copies of the library.
 */
export const CHECKED_WRITES: unique symbol = Symbol.for('contact-sync.checked-writes') as never;

export interface CheckedWrites {
  upsert(input: ContactInput, options?: UpsertOptions): Promise<UpsertResult>;
  /** Present where the store has `upsertMany`. */
  upsertMany?(
    inputs: readonly ContactInput[],
    options?: UpsertManyOptions,
  ): Promise<PromiseSettledResult<UpsertResult>[]>;
  reconcile(id: string, input: ContactInput, options?: CallOptions): Promise<ReconcileResult>;
  /** The input as this vendor would hold it (the plan's projection): what `diff` compares. */
  project(input: ContactInput): ContactPatch;
  /** The fingerprint of what this store would send for `input` (see `ContactStore.fingerprint`). */
  fingerprint(input: ContactInput): { fingerprint: string; warnings: Warning[] };
}

/** The checked entry of `store`, when it was built by `defineContactStore`. */
export function checkedWritesOf(store: object): CheckedWrites | undefined {
  const entry = (store as Record<symbol, unknown>)[CHECKED_WRITES];
  return entry && typeof entry === 'object' ? (entry as CheckedWrites) : undefined;
}
