import { abortError } from '../abort.js';
import type { ContactStore } from '../contact-store.js';
import { ContactSyncError, invalidInput, isContactSyncError } from '../errors.js';
import { linkStoreError } from './push-record.js';
import { keyIssue, reportKey } from './sync-input.js';
import type { SyncSettings } from './sync-options.js';
import type { RemoveReport, RemoveResult } from './sync-types.js';

/**
 * Deletes the linked contact at every store at once, then forgets the links of the stores where
 * it is gone. A failed store keeps its link, so calling `remove` again finishes the job. Links to
 * providers that are not among `stores` are left alone: nothing here could delete those contacts.
 */
export async function removeRecord(
  settings: SyncSettings,
  key: unknown,
  signal?: AbortSignal,
): Promise<RemoveReport> {
  const { stores, links } = settings;
  const issue = keyIssue(key);
  if (issue) return failAll(stores, reportKey(key), invalidInput([issue], { operation: 'remove' }));
  const validKey = key as string;
  let linked: Record<string, string>;
  try {
    linked = (await links.get(validKey)) ?? {};
  } catch (error) {
    return failAll(stores, validKey, linkStoreError(error, 'get'));
  }
  const results = await Promise.all(
    stores.map((store) => removeAt(store, linked[store.provider], signal)),
  );
  const settled = await Promise.all(
    results.map((result) => forget(settings, validKey, linked, result)),
  );
  return { key: validKey, results: settled };
}

async function removeAt(
  store: ContactStore,
  id: string | undefined,
  signal?: AbortSignal,
): Promise<RemoveResult> {
  const provider = store.provider;
  if (id === undefined) return { provider, status: 'missing' };
  try {
    if (signal?.aborted) throw abortError(signal, { provider, operation: 'delete' });
    await store.delete(id, signal ? { signal } : undefined);
    return { provider, status: 'deleted', id };
  } catch (error) {
    if (isContactSyncError(error) && error.code === 'not_found') {
      return { provider, status: 'missing', id };
    }
    return { provider, status: 'failed', id, error: asDeleteError(error, provider) };
  }
}

/** Drops the link of a store that is done; a link store failure turns the result `failed`. */
async function forget(
  { links }: SyncSettings,
  key: string,
  linked: Record<string, string>,
  result: RemoveResult,
): Promise<RemoveResult> {
  if (result.status === 'failed' || linked[result.provider] === undefined) return result;
  try {
    await links.delete(key, result.provider);
    return result;
  } catch (error) {
    return { ...result, status: 'failed', error: linkStoreError(error, 'delete') };
  }
}

function failAll(
  stores: readonly ContactStore[],
  key: string,
  error: ContactSyncError,
): RemoveReport {
  return {
    key,
    results: stores.map((store) => ({ provider: store.provider, status: 'failed', error })),
  };
}

function asDeleteError(error: unknown, provider: string): ContactSyncError {
  if (isContactSyncError(error)) return error;
  return new ContactSyncError({
    code: 'provider_error',
    provider,
    operation: 'delete',
    retryable: false,
    detail: 'the store threw an error that is not a ContactSyncError (see cause)',
    cause: error,
  });
}
