import type { ContactStoreConfig } from '../providers/registry.js';
import { createContactStore } from '../providers/registry.js';
import type { ContactInput } from '../src/contact.js';
import { type EmulatorRequest, type ProviderEmulator, serializeAnswer } from './emulator.js';

/** What seeding one vendor did: contacts created, and those the emulator refused (with why). */
export interface SeedResult {
  provider: string;
  created: number;
  refused: { index: number; code: string }[];
}

/**
 * Fills `emulator` with `contacts` through the vendor's own API, answered in process (no socket):
 * the same mapping, field names and refusals as a real push, at in-memory speed.
 */
export async function seedEmulator(
  emulator: ProviderEmulator,
  config: ContactStoreConfig,
  contacts: Iterable<ContactInput> | AsyncIterable<ContactInput>,
  concurrency = 32,
): Promise<SeedResult> {
  const store = createContactStore({
    ...config,
    fetch: inProcessFetch(emulator, config.baseUrl ?? ''),
    rateLimit: false,
    retry: false,
  } as ContactStoreConfig);
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

/** A `fetch` that hands each request to the emulator in this process. */
function inProcessFetch(emulator: ProviderEmulator, baseUrl: string): typeof fetch {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '');
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = init?.body !== undefined ? String(init.body) : await request.text();
    const headers: Record<string, string | undefined> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const emulated: EmulatorRequest = {
      method: request.method,
      path: url.pathname.slice(prefix.length) || '/',
      query: url.searchParams,
      headers,
      body: text ? JSON.parse(text) : undefined,
    };
    const answer = serializeAnswer(emulator.handle(emulated));
    return new Response(answer.status === 204 ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
  };
}
