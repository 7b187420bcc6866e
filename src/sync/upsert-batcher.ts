import { abortError } from '../abort.js';
import type { Contact, ContactInput } from '../contact.js';
import type { UpsertManyOptions, UpsertResult } from '../contact-store.js';

type Claim = (existing: Contact) => boolean | Promise<boolean>;

interface Waiting {
  input: ContactInput;
  claim: Claim;
  signal?: AbortSignal;
  resolve(result: UpsertResult): void;
  reject(error: unknown): void;
}

/**
 * Gathers the upserts of one store that has `upsertMany` and hands them over together: the
 * records of a `pushMany` window that have no link there become one bulk call. A batch goes as
 * soon as the event loop has nothing else to run (so a lone `push` waits for nobody), and one
 * batch at a time per store: what arrives while one is out makes the next one, so batches grow to
 * the size of the window without any timer.
 */
export interface UpsertBatcher {
  upsert(input: ContactInput, claim: Claim, signal?: AbortSignal): Promise<UpsertResult>;
}

/** A store's `upsertMany` (its checked entry where it has one). */
type UpsertMany = (
  inputs: readonly ContactInput[],
  options?: UpsertManyOptions,
) => Promise<PromiseSettledResult<UpsertResult>[]>;

export function createUpsertBatcher(provider: string, upsertMany: UpsertMany): UpsertBatcher {
  let queue: Waiting[] = [];
  let busy = false;

  function schedule(): void {
    if (busy) return;
    busy = true;
    setImmediate(() => {
      flush().finally(() => {
        busy = false;
        if (queue.length) schedule();
      });
    });
  }

  async function flush(): Promise<void> {
    const waiting = queue;
    queue = [];
    // A record cancelled while it waited is not sent.
    const batch: Waiting[] = [];
    for (const item of waiting) {
      if (item.signal?.aborted) {
        item.reject(abortError(item.signal, { provider, operation: 'push' }));
      } else batch.push(item);
    }
    if (!batch.length) return;
    // The records of a `pushMany` share its signal, which then cancels the batch; records of
    // separate `push` calls (a queue worker's jobs) batch together, and a bulk call, which cannot
    // be cancelled for one of its rows alone, runs to its end.
    const first = batch[0]?.signal;
    const signal = batch.every((item) => item.signal === first) ? first : undefined;
    try {
      const outcomes = await upsertMany(
        batch.map((item) => item.input),
        {
          ...(signal ? { signal } : {}),
          claim: (existing, index) => batch[index]?.claim(existing) ?? false,
        },
      );
      for (const [index, item] of batch.entries()) {
        const outcome = outcomes[index];
        if (outcome?.status === 'fulfilled') item.resolve(outcome.value);
        else item.reject(outcome ? outcome.reason : new Error('upsertMany gave no outcome'));
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  return {
    upsert(input, claim, signal) {
      return new Promise((resolve, reject) => {
        queue.push({ input, claim, signal, resolve, reject });
        schedule();
      });
    },
  };
}
