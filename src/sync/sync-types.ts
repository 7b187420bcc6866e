import type { ContactInput, Warning } from '../contact.js';
import type { ContactStore } from '../contact-store.js';
import type { ContactSyncError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { DiffReport } from './diff.js';
import type { LinkStore } from './link-store.js';
import type { OptOutSyncReport, SyncOptOutsOptions } from './sync-opt-outs.js';
import type { Verify } from './sync-state.js';

/** How `push` writes to several stores. */
export type SyncPolicy = 'all' | 'primary';

/** What a key gets when its phone is held at a vendor by the contact of another key. */
export type SharedPhones = 'conflict' | 'link';

/** Options of `createContactSync`. */
export interface ContactSyncOptions {
  /**
   * The vendors to keep in step, each a `ContactStore`. At least one; provider names must be
   * distinct, since links are kept by provider name (see docs/sync.md for two accounts of one
   * vendor).
   */
  stores: readonly ContactStore[];
  /** Where the links from your keys to each vendor's ids live. Default: `memoryLinkStore()`. */
  links?: LinkStore;
  /**
   * `'all'` (default): every store is written at once and each is reported on its own.
   * `'primary'`: the first store is written first; only when it succeeds are the others written,
   * otherwise they are reported `skipped`.
   */
  policy?: SyncPolicy;
  /**
   * ISO 3166 alpha-2 country for phone numbers written without a country code, e.g. `'FR'`.
   * ContactSync normalizes every phone to E.164 once, before any store sees it, so the stores'
   * own `defaultCountry` does not apply to what it sends. Default: none (national numbers fail
   * `invalid_input`).
   */
  defaultCountry?: string;
  /**
   * When key B's phone is held at a vendor by the contact linked to key A:
   * `'conflict'` (default): B's result there is `failed` with `code: 'conflict'`, `existingId`
   * and `existingKey: 'A'`; nothing is written there and no link is set.
   * `'link'`: B is linked to that contact too, and written over it (the last writer wins); for
   * CRMs that keep several records per person.
   */
  sharedPhones?: SharedPhones;
  /**
   * A pino-compatible logger: each store's outcome of each push, failures at `warn` (key, vendor,
   * status, error code), the rest at `debug`. Never a phone or secret. Default: none.
   */
  logger?: Logger;
  /**
   * The secret that keys tombstones and remembered fingerprints (HMAC-SHA-256), at least 16
   * characters. Default: the link store's own (`tombstoneSecret()`, made once and kept with it).
   * Give one where your own link store keeps tombstones but no secret; keep it: a new secret
   * forgets every erasure and resends every contact once.
   */
  tombstoneSecret?: string;
}

/** One record to push: your own key (a CRM id, say) and the contact. */
export interface SyncRecord {
  /** Non-empty, at most 256 characters. */
  key: string;
  /** The contact to write at every store. */
  contact: ContactInput;
}

/**
 * What a push did at one store: `created`, `updated` (a write was sent and accepted),
 * `unchanged` (nothing was sent, or what was sent changed nothing the vendor holds), `failed`
 * (see `error`), or `skipped`: policy `'primary'` and the first store failed, or the key or its
 * phone was erased (`reason: 'erased'`).
 */
export type PushStatus = 'created' | 'updated' | 'unchanged' | 'failed' | 'skipped';

/** What happened at one store. */
export interface PushResult {
  /** The store's vendor. */
  provider: string;
  /** What the push did there. */
  status: PushStatus;
  /** The vendor's contact id, when the write succeeded (or failed after one was known). */
  id?: string;
  /** Set when `status` is `'failed'`. */
  error?: ContactSyncError;
  /** What this vendor could not hold from the input. */
  warnings: Warning[];
  /** On `skipped`: `'erased'` when the key or its phone was erased (`sync.erase`). */
  reason?: 'erased';
}

/** One result per store, in the order of `stores`. */
export interface PushReport {
  /** The record's key. */
  key: string;
  /** One result per store, in the order of `stores`. */
  results: PushResult[];
  /**
   * In `pushMany` and `mirror`: true when an earlier record of this run had the same key (the
   * last one wins, each applied in input order).
   */
  duplicate?: boolean;
  /** The record as it was given (the same object), so a bulk run can write back what failed. */
  record: SyncRecord;
}

/** Options of `remove` and `diff`. */
export interface PushOptions {
  /** Cancels the vendor calls; a write that completed is still linked. */
  signal?: AbortSignal;
}

/** Options of `push`. */
export interface PushCallOptions extends PushOptions {
  /**
   * When a linked contact whose remembered fingerprint matches is read anyway (design §13):
   * `'never'` (default) sends nothing and reports `unchanged`; `'always'` reads and compares
   * every one (one read each); `{ olderThanMs }` reads each link once per period of that length,
   * spread over the period by key. A link store without `getState` always reads and compares.
   */
  verify?: Verify;
}

/** The running totals of a `pushMany` run, given to `onProgress`. */
export interface PushProgress {
  /** Records finished (whatever their outcome). */
  done: number;
  /** Records with at least one `failed` result. */
  failed: number;
  /** Records being pushed now. */
  inFlight: number;
  /** Results (one per record and store) by status. */
  results: Record<PushStatus, number>;
  /** In `pushMany` and `mirror`: records whose key an earlier record of this run already had. */
  duplicates?: number;
}

/** Options of `pushMany`. */
export interface PushManyOptions {
  /** Records pushed at once; a positive integer. Default 8. */
  concurrency?: number;
  /**
   * Stops the run: no more input is read, the vendor calls in flight are cancelled (each records
   * `failed` with `aborted`; calls that had completed are linked), their reports are yielded, and
   * the iteration ends without throwing.
   */
  signal?: AbortSignal;
  /** Called after each record finishes, before its report is yielded. */
  onProgress?(progress: PushProgress): void;
  /** As `push`'s `verify`, for every record. Default `'never'`. */
  verify?: Verify;
}

/** What `remove` did at one store (see {@link RemoveResult.status}). */
export type RemoveStatus = 'deleted' | 'missing' | 'failed';

/** What `remove` did at one store. */
export interface RemoveResult {
  /** The store's vendor. */
  provider: string;
  /**
   * `deleted`; `missing` when no contact is linked there or the vendor no longer has it
   * (`not_found`): both count as done; `failed` keeps the link so a retry can finish.
   */
  status: RemoveStatus;
  /** The vendor's id of the contact that was linked, when there was one. */
  id?: string;
  /** Set when `status` is `'failed'`. */
  error?: ContactSyncError;
}

/** What `remove` resolves: one result per store, in the order of `stores`. */
export interface RemoveReport {
  /** The key removed. */
  key: string;
  /** One result per store, in the order of `stores`. */
  results: RemoveResult[];
}

/** One contact kept in step across several vendors, from `createContactSync`. */
export interface ContactSync {
  /** Writes one record to every store. Never throws: each store's outcome is in the report. */
  push(record: SyncRecord, options?: PushCallOptions): Promise<PushReport>;
  /**
   * Pushes records from any iterable or async iterable, `concurrency` at a time, reading input
   * only as fast as it writes; yields each report as its record finishes.
   */
  pushMany(
    records: Iterable<SyncRecord> | AsyncIterable<SyncRecord>,
    options?: PushManyOptions,
  ): AsyncIterable<PushReport>;
  /** Deletes the linked contact at every store, then the links of the stores that are done. */
  remove(key: string, options?: PushOptions): Promise<RemoveReport>;
  /**
   * The union of every store's opt-outs, each with your key where its contact is linked; with
   * `apply`, each phone written to every store that can hold it. Opt-ins are never propagated.
   */
  syncOptOuts(options?: SyncOptOutsOptions): Promise<OptOutSyncReport>;
  /**
   * What a push of `record` would change at each store, field by field, found by reading the
   * linked contact (or the one holding the phone). Sends no write; never throws.
   */
  diff(record: SyncRecord, options?: PushOptions): Promise<DiffReport>;
}
