import { abortError } from '../abort.js';
import type { ContactStore } from '../contact-store.js';
import { ContactSyncError, invalidInput, isContactSyncError } from '../errors.js';
import type { OptOutChannel } from '../opt-outs.js';
import type { LinkStore } from './link-store.js';

/** Options of `sync.syncOptOuts`. */
export interface SyncOptOutsOptions {
  /** Write each phone to every store that can hold it and does not yet. Default `false`: only read. */
  apply?: boolean;
  /** Cancels reading and writing; what was done stays done, and the report says so. */
  signal?: AbortSignal;
  /** Phones looked up or written at once. Default 4. */
  concurrency?: number;
}

/** What `apply` did for one phone at one store. */
export interface OptOutApplyResult {
  /** The store's vendor. */
  provider: string;
  /** `added` written now; `present` already there; `unsupported` this store cannot hold it. */
  status: 'added' | 'present' | 'failed' | 'unsupported';
  /** On `failed`: why. */
  error?: ContactSyncError;
}

/** One opted-out phone, across every store that listed it. */
export interface SyncedOptOut {
  /** E.164. */
  phone: string;
  /** Your key, where the phone's contact is linked at one of the stores. */
  key?: string;
  /** The stores whose opt-outs hold the phone. */
  seenAt: string[];
  /** The channels it is opted out of, across those stores. */
  channels: OptOutChannel[];
  /** The earliest opt-out time any store gave, ISO 8601. */
  at?: string;
  /** Each store's own entry: which channel it stops, and since when. */
  entries: {
    /** The store's vendor. */
    provider: string;
    /** The channel its opt-out covers. */
    channel: OptOutChannel;
    /** When the person opted out there, ISO 8601, where the vendor says. */
    at?: string;
  }[];
  /** With `apply`: one result per store; without it, empty. */
  results: OptOutApplyResult[];
}

/** How reading one store's opt-outs went: a store that failed is named, never skipped silently. */
export interface OptOutSource {
  /** The store's vendor. */
  provider: string;
  /** `read`, `failed` (the read failed: see `error`), or `unsupported` (the store has no opt-outs). */
  status: 'read' | 'failed' | 'unsupported';
  /** Opt-outs read from it (on `failed`: before the failure). */
  count: number;
  /** On `failed`: why. */
  error?: ContactSyncError;
}

/** What `sync.syncOptOuts` resolves. */
export interface OptOutSyncReport {
  /** Every opted-out phone, once, across the stores. */
  optOuts: SyncedOptOut[];
  /** How reading each store went, in the order of `stores`. */
  sources: OptOutSource[];
}

interface KeyFinder {
  findKey(provider: string, id: string): Promise<string | undefined>;
}

interface Seen {
  phone: string;
  seenAt: Set<string>;
  channels: Set<OptOutChannel>;
  at?: string;
  entries: SyncedOptOut['entries'];
  /** A contact id where the store's opt-out is on a contact (Callbell): the way to the key. */
  ids: Map<string, string>;
}

/**
 * The union of every store's opt-outs, each with the key its contact is linked to; with `apply`,
 * each phone written to every store that can hold it. An opt-in is never propagated.
 */
export async function syncOptOuts(
  stores: readonly ContactStore[],
  links: LinkStore,
  options: SyncOptOutsOptions = {},
): Promise<OptOutSyncReport> {
  const { apply, signal, concurrency } = checkOptions(options);
  const seen = new Map<string, Seen>();
  const sources: OptOutSource[] = [];
  for (const store of stores) sources.push(await readStore(store, seen, signal));
  const entries = [...seen.values()].sort((a, b) => (a.phone < b.phone ? -1 : 1));
  const optOuts = await mapBounded(entries, concurrency, async (entry) => {
    if (signal?.aborted) throw abortError(signal, { operation: 'syncOptOuts' });
    const key = await keyOf(entry, stores, links, signal);
    const results = apply ? await applyTo(entry, stores, signal) : [];
    return {
      phone: entry.phone,
      ...(key === undefined ? {} : { key }),
      seenAt: [...entry.seenAt],
      channels: [...entry.channels],
      ...(entry.at ? { at: entry.at } : {}),
      entries: entry.entries,
      results,
    };
  });
  return { optOuts, sources };
}

async function readStore(
  store: ContactStore,
  seen: Map<string, Seen>,
  signal: AbortSignal | undefined,
): Promise<OptOutSource> {
  const provider = store.provider;
  const support = store.capabilities.optOut ?? 'unsupported';
  if (support === 'unsupported' || !store.optOuts)
    return { provider, status: 'unsupported', count: 0 };
  let count = 0;
  try {
    for await (const optOut of store.optOuts({ signal })) {
      count += 1;
      const entry = seen.get(optOut.phone) ?? {
        phone: optOut.phone,
        seenAt: new Set<string>(),
        channels: new Set<OptOutChannel>(),
        entries: [],
        ids: new Map<string, string>(),
      };
      entry.entries.push({
        provider,
        channel: optOut.channel,
        ...(optOut.at ? { at: optOut.at } : {}),
      });
      entry.seenAt.add(provider);
      entry.channels.add(optOut.channel);
      if (optOut.at && (!entry.at || optOut.at < entry.at)) entry.at = optOut.at;
      if (optOut.id) entry.ids.set(provider, optOut.id);
      seen.set(optOut.phone, entry);
    }
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, { operation: 'syncOptOuts' });
    return { provider, status: 'failed', count, error: asError(error, provider, 'optOuts') };
  }
  return { provider, status: 'read', count };
}

/** The key linked to the phone's contact: by the id an opt-out carried, else a lookup by phone. */
async function keyOf(
  entry: Seen,
  stores: readonly ContactStore[],
  links: LinkStore,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  // `findKey` is optional on link stores written before it (design §10).
  const findKey = (links as Partial<Pick<KeyFinder, 'findKey'>>).findKey?.bind(links);
  if (!findKey) return undefined;
  for (const [provider, id] of entry.ids) {
    const key = await findKey(provider, id).catch(() => undefined);
    if (key !== undefined) return key;
  }
  // Stores with a native lookup first: one request each, and only until a key is found.
  const ordered = [...stores].sort(
    (a, b) => rank(a.capabilities.findByPhone) - rank(b.capabilities.findByPhone),
  );
  for (const store of ordered) {
    if (store.capabilities.findByPhone === 'unsupported') continue;
    const contact = await store.findByPhone(entry.phone, { signal }).catch(() => undefined);
    if (!contact) continue;
    const key = await findKey(store.provider, contact.id).catch(() => undefined);
    if (key !== undefined) return key;
  }
  return undefined;
}

const rank = (support: string) => (support === 'native' ? 0 : 1);

async function applyTo(
  entry: Seen,
  stores: readonly ContactStore[],
  signal: AbortSignal | undefined,
): Promise<OptOutApplyResult[]> {
  const results: OptOutApplyResult[] = [];
  for (const store of stores) {
    const provider = store.provider;
    if (entry.seenAt.has(provider)) {
      results.push({ provider, status: 'present' });
    } else if (store.capabilities.optOut !== 'native' || !store.optOut) {
      results.push({ provider, status: 'unsupported' });
    } else {
      try {
        results.push({ provider, status: await store.optOut(entry.phone, { signal }) });
      } catch (error) {
        results.push({ provider, status: 'failed', error: asError(error, provider, 'optOut') });
      }
    }
  }
  return results;
}

function checkOptions(options: SyncOptOutsOptions) {
  const fail = (path: string, message: string) =>
    invalidInput([{ path, message }], { operation: 'syncOptOuts' });
  if (typeof options !== 'object' || options === null) throw fail('options', 'expected an object');
  const { apply = false, signal, concurrency = 4 } = options;
  if (typeof apply !== 'boolean') throw fail('apply', 'expected true or false');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw fail('concurrency', 'expected a whole number from 1 to 64');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw fail('signal', 'expected an AbortSignal');
  if (signal?.aborted) throw abortError(signal, { operation: 'syncOptOuts' });
  return { apply, signal, concurrency };
}

function asError(error: unknown, provider: string, operation: string): ContactSyncError {
  return isContactSyncError(error)
    ? error
    : new ContactSyncError({ code: 'provider_error', provider, operation, retryable: false });
}

/** `map` with at most `limit` calls running, results in input order. */
async function mapBounded<T, R>(
  items: T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
