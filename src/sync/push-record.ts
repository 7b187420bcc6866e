import { abortError } from '../abort.js';
import { checkedWritesOf } from '../checked-writes.js';
import type { Contact, ContactInput } from '../contact.js';
import type { ContactStore } from '../contact-store.js';
import { ContactSyncError, isContactSyncError } from '../errors.js';
import { identityKey } from '../identity.js';
import type { LinkState } from './link-store.js';
import { checkRecord } from './sync-input.js';
import type { SyncSettings } from './sync-options.js';
import {
  hasState,
  keyed,
  mustVerify,
  storeFingerprint,
  tombstonesOf,
  type Verify,
} from './sync-state.js';
import type { PushReport, PushResult, PushStatus } from './sync-types.js';

/** What one push is asked besides its record. */
export interface PushCall {
  signal?: AbortSignal;
  /** Default `'never'`. */
  verify?: Verify;
}

interface Written {
  status: Exclude<PushStatus, 'failed' | 'skipped'>;
  id: string;
  warnings: PushResult['warnings'];
}

/** Pushes one record to every store; never rejects. */
export async function pushRecord(
  settings: SyncSettings,
  record: unknown,
  call: PushCall = {},
): Promise<Omit<PushReport, 'record'>> {
  const { stores, links, policy } = settings;
  const { signal, verify = 'never' } = call;
  const checked = checkRecord(record, settings.defaultCountry, 'push');
  if (!checked.ok) return failAll(stores, checked.key, checked.error);
  const { key, input } = checked;
  try {
    if (await isErased(settings, key, input)) return erasedAll(stores, key);
  } catch (error) {
    return failAll(stores, key, linkStoreError(error, 'isErased'));
  }
  let linked: Record<string, LinkState> | undefined;
  let secret: string | undefined;
  try {
    if (hasState(links)) {
      linked = await links.getState(key);
      secret = await settings.secret();
    } else {
      const ids = await links.get(key);
      linked = ids && Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, { id }]));
    }
  } catch (error) {
    return failAll(stores, key, linkStoreError(error, 'get'));
  }
  const now = Date.now();
  const pushTo = (store: ContactStore): Promise<PushResult> => {
    const state = linked?.[store.provider];
    const push: StorePush = { settings, store, key, input, linkedId: state?.id, signal };
    if (!hasState(links)) return pushToStore(push);
    const planned = storeFingerprint(store, input);
    if (planned) push.fingerprint = keyed(planned.fingerprint, secret);
    // The vendor was last sent and confirmed exactly this: nothing to send.
    if (
      state &&
      planned &&
      state.fingerprint === push.fingerprint &&
      !mustVerify(key, state, verify, now)
    ) {
      return Promise.resolve({
        provider: store.provider,
        status: 'unchanged',
        id: state.id,
        warnings: planned.warnings,
      });
    }
    return pushToStore(push);
  };
  if (policy === 'all') return { key, results: await Promise.all(stores.map(pushTo)) };
  const [primary, ...others] = stores as [ContactStore, ...ContactStore[]];
  const first = await pushTo(primary);
  if (first.status === 'failed') {
    const skipped = others.map(
      (store): PushResult => ({
        provider: store.provider,
        status: 'skipped',
        warnings: [],
      }),
    );
    return { key, results: [first, ...skipped] };
  }
  return { key, results: [first, ...(await Promise.all(others.map(pushTo)))] };
}

interface StorePush {
  settings: SyncSettings;
  store: ContactStore;
  key: string;
  input: ContactInput;
  linkedId?: string;
  signal?: AbortSignal;
  /** The keyed fingerprint to remember once the vendor confirmed the write (state stores only). */
  fingerprint?: string;
}

function pushToStore(push: StorePush): Promise<PushResult> {
  if (push.linkedId !== undefined) return writeAndLink(push);
  // A key without a link here holds its phone here from the lookup to the link, so a second key
  // with the same phone sees the first one's link: one phone, one key (see PhoneLocks).
  // A phone-less record holds its WhatsApp user id the same way.
  const identity = identityKey(push.input) ?? '';
  return push.settings.phoneLocks.hold(push.store.provider, identity, () => writeAndLink(push));
}

async function writeAndLink(push: StorePush): Promise<PushResult> {
  const { settings, store, key, linkedId } = push;
  const { links } = settings;
  const provider = store.provider;
  const owner: { key?: string } = {};
  const claimed = new Set<string>();
  // Asked by the store before it writes to a contact it found by phone.
  const claim = async (existing: Contact): Promise<boolean> => {
    claimed.add(existing.id);
    if (settings.sharedPhones === 'link' || existing.id === linkedId) return true;
    const holder = await links.findKey(provider, existing.id);
    if (holder === undefined || holder === key) return true;
    owner.key = holder;
    return false;
  };
  let written: Written;
  try {
    written = await write(push, claim);
  } catch (error) {
    const failure = await withExistingKey(asSyncError(error, provider), push, owner.key);
    return { provider, status: 'failed', error: failure, warnings: [] };
  }
  // A store of your own that ignores `claim` may have taken over another key's contact: that is
  // reported, and not linked (the write itself could not be prevented).
  if (
    settings.sharedPhones === 'conflict' &&
    written.status !== 'created' &&
    written.id !== linkedId &&
    !claimed.has(written.id)
  ) {
    let holder: string | undefined;
    try {
      holder = await links.findKey(provider, written.id);
    } catch (error) {
      const failure = linkStoreError(error, 'findKey', provider);
      return { provider, status: 'failed', id: written.id, error: failure, warnings: [] };
    }
    if (holder !== undefined && holder !== key) {
      const failure = conflictWith(push, holder, written.id, undefined);
      return { provider, status: 'failed', id: written.id, error: failure, warnings: [] };
    }
  }
  // Linked even when the run was aborted meanwhile: the vendor holds this contact now.
  if (written.id !== linkedId || hasState(links)) {
    try {
      if (hasState(links)) {
        // Confirmed by the vendor: the state it holds now is what was planned.
        const state: LinkState = { id: written.id, verifiedAt: new Date().toISOString() };
        if (push.fingerprint !== undefined) state.fingerprint = push.fingerprint;
        await links.setState(key, provider, state);
      } else {
        await links.set(key, provider, written.id);
      }
    } catch (error) {
      const failure = linkStoreError(error, 'set', provider);
      return { provider, status: 'failed', id: written.id, error: failure, warnings: [] };
    }
  }
  return { provider, ...written };
}

/**
 * Updates the linked contact; with no link, or one the vendor no longer knows, upserts. A store
 * built by `defineContactStore` gets the record's checked input as it is (validated once, in
 * `checkRecord`); a store of the user's own gets a copy through its public calls.
 */
/**
 * A `conflict` naming a contact linked to another key gets that key as `existingKey` (`known`
 * when the claim already found it); otherwise the error is returned as it is.
 */
async function withExistingKey(
  error: ContactSyncError,
  push: StorePush,
  known?: string,
): Promise<ContactSyncError> {
  if (error.code !== 'conflict' || error.existingId === undefined) return error;
  let existingKey = known;
  if (existingKey === undefined) {
    try {
      existingKey = await push.settings.links.findKey(push.store.provider, error.existingId);
    } catch {
      return error;
    }
  }
  if (existingKey === undefined || existingKey === push.key) return error;
  return conflictWith(push, existingKey, error.existingId, error);
}

function conflictWith(
  push: StorePush,
  existingKey: string,
  existingId: string,
  cause: ContactSyncError | undefined,
): ContactSyncError {
  const provider = push.store.provider;
  const written = cause ? 'nothing was written there' : 'the store wrote to it; it was not linked';
  return new ContactSyncError({
    code: 'conflict',
    provider,
    operation: cause?.operation ?? 'push',
    status: cause?.status,
    providerCode: cause?.providerCode,
    retryable: false,
    existingId,
    existingKey,
    message: `[contact-sync] [${provider}] push failed: conflict: the phone is held by the contact linked to another key (see existingKey); ${written}`,
    cause,
  });
}

async function write(
  { settings, store, input, linkedId, signal }: StorePush,
  claim: (existing: Contact) => Promise<boolean>,
): Promise<Written> {
  if (signal?.aborted) throw abortError(signal, { provider: store.provider, operation: 'push' });
  const options = signal ? { signal } : undefined;
  const checked = checkedWritesOf(store);
  if (linkedId !== undefined) {
    try {
      // reconcile writes only what changed, so a rerun reports `unchanged`; a store without it
      // (one of your own) is updated.
      const { action, contact } = checked
        ? await checked.reconcile(linkedId, input, options)
        : typeof store.reconcile === 'function'
          ? await store.reconcile(linkedId, structuredClone(input), options)
          : {
              action: 'updated' as const,
              contact: await store.update(linkedId, structuredClone(input), options),
            };
      return {
        status: action,
        id: aboutLinked(contact.id, linkedId, store.provider),
        warnings: contact.warnings ?? [],
      };
    } catch (error) {
      if (!isContactSyncError(error) || error.code !== 'not_found') throw error;
    }
  }
  // A store that creates in bulk gets the unlinked records of a window together (see UpsertBatcher).
  const batcher = settings.batchers.get(store);
  const { action, contact } = batcher
    ? await batcher.upsert(input, claim, signal)
    : checked
      ? await checked.upsert(input, { ...options, claim })
      : await store.upsert(structuredClone(input), { ...options, claim });
  return { status: action, id: contact.id, warnings: contact.warnings ?? [] };
}

/**
 * The id a write of the linked contact answered with, when it is that contact: a link changes only
 * by a create or by the relink after `not_found`, never because an answer named another contact.
 */
function aboutLinked(id: string, linkedId: string, provider: string): string {
  if (id === linkedId) return id;
  throw new ContactSyncError({
    code: 'invalid_response',
    provider,
    operation: 'push',
    retryable: false,
    message: `[contact-sync] [${provider}] push failed: invalid_response: the vendor answered about another contact than the linked one`,
  });
}

/** Whether `key` or `phone` was erased (a tombstone), where the link store keeps tombstones. */
async function isErased(
  settings: SyncSettings,
  key: string,
  input: ContactInput,
): Promise<boolean> {
  const { links } = settings;
  if (typeof links.isErased !== 'function') return false;
  const secret = await settings.secret();
  if (secret === undefined) return false;
  return links.isErased(tombstonesOf(secret, key, input));
}

function erasedAll(stores: readonly ContactStore[], key: string) {
  return {
    key,
    results: stores.map(
      (store): PushResult => ({
        provider: store.provider,
        status: 'skipped',
        reason: 'erased',
        warnings: [],
      }),
    ),
  };
}

function failAll(stores: readonly ContactStore[], key: string, error: ContactSyncError) {
  return {
    key,
    results: stores.map(
      (store): PushResult => ({
        provider: store.provider,
        status: 'failed',
        error,
        warnings: [],
      }),
    ),
  };
}

/** A store that broke its contract (threw something else) still yields a typed error. */
export function asSyncError(error: unknown, provider: string): ContactSyncError {
  if (isContactSyncError(error)) return error;
  return new ContactSyncError({
    code: 'provider_error',
    provider,
    operation: 'push',
    retryable: false,
    detail: 'the store threw an error that is not a ContactSyncError (see cause)',
    cause: error,
  });
}

/**
 * The link store failed: reported on the results it affects, so a run goes on. Its own message
 * stays in `cause` only, since it may name a connection string.
 */
export function linkStoreError(
  error: unknown,
  operation: string,
  provider?: string,
): ContactSyncError {
  const written = provider
    ? ` (the ${provider} contact was written but its link was not kept; a new push finds it again)`
    : '';
  return new ContactSyncError({
    code: 'provider_error',
    operation: `links.${operation}`,
    retryable: true,
    message: `[contact-sync] link store ${operation} failed${written}`,
    cause: error,
  });
}
