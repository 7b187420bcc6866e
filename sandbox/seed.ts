import {
  type AnyStoreConfig,
  createFromRegistry,
  type ProviderRegistry,
  providerDefinitions,
} from '../providers/registry.js';
import type { ContactInput } from '../src/contact.js';
import { createEmulatorFetch } from '../src/testing/emulator-fetch.js';
import type { ProviderEmulator } from './emulator.js';

/** What seeding one vendor did: contacts created, and those the emulator refused (with why). */
export interface SeedResult {
  /** The vendor seeded. */
  provider: string;
  /** How many contacts it created. */
  created: number;
  /** The contacts refused, by position in the input. */
  refused: {
    /** The contact's position in the input, from 0. */
    index: number;
    /** The `ContactSyncError` code of the refusal (`'error'` for another failure). */
    code: string;
  }[];
}

/**
 * Fills `emulator` with `contacts` through the vendor's own API, answered in process (no socket):
 * the same mapping, field names and refusals as a real push, at in-memory speed.
 */
export async function seedEmulator(
  emulator: ProviderEmulator,
  config: AnyStoreConfig,
  contacts: Iterable<ContactInput> | AsyncIterable<ContactInput>,
  registry: ProviderRegistry = providerDefinitions,
  concurrency = 32,
): Promise<SeedResult> {
  // Never contacted: the emulator answers in process, at the path the vendor's base URL names.
  const origin = 'http://127.0.0.1';
  const store = createFromRegistry(
    {
      ...config,
      baseUrl: `${origin}${emulator.basePath}`,
      fetch: createEmulatorFetch(emulator, { origin }).fetch,
      rateLimit: false,
      retry: false,
    },
    registry,
  );
  const result: SeedResult = { provider: store.provider, created: 0, refused: [] };
  const running = new Set<Promise<void>>();
  let index = 0;
  for await (const contact of contacts) {
    const at = index++;
    const task = store.create(contact).then(
      () => {
        result.created += 1;
      },
      (error: { code?: string }) => {
        result.refused.push({ index: at, code: error.code ?? 'error' });
      },
    );
    running.add(task);
    void task.finally(() => running.delete(task));
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  return result;
}
