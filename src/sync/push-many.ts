import { createHash } from 'node:crypto';
import { scopedSignal } from '../abort.js';
import { invalidConfig, invalidInput } from '../errors.js';
import type { PushCall } from './push-record.js';
import { parseVerify, type Verify } from './sync-state.js';
import type { PushManyOptions, PushProgress, PushReport, SyncRecord } from './sync-types.js';

/** Records `pushMany` pushes at once when `concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 8;

type Push = (record: unknown, call: PushCall) => Promise<PushReport>;
type Records = Iterable<SyncRecord> | AsyncIterable<SyncRecord>;

/**
 * Runs `push` over `records`, at most `concurrency` at once. A record is read only when a slot is
 * free, and a slot frees up only when the consumer takes its report, so memory stays constant whatever
 * the input size. Each record writes to every store at once, so a store waiting on its own rate
 * limit delays the others by no more than the window of `concurrency` records in flight.
 *
 * Records of one key are applied in input order, never two at once: a later record of a key starts
 * only once the earlier one has finished (linked or failed). The waiting record holds its slot in
 * the window, so the bound above still holds and nothing is buffered outside it.
 */
export function pushManyRecords(
  push: Push,
  records: Records,
  options: PushManyOptions = {},
): AsyncIterable<PushReport> {
  const { concurrency = DEFAULT_CONCURRENCY, signal, onProgress } = options ?? {};
  const verify = parseVerify(options?.verify);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw invalidConfig([{ path: 'concurrency', message: 'expected a positive integer' }]);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidConfig([{ path: 'onProgress', message: 'expected a function' }]);
  }
  if (!isIterable(records)) {
    throw invalidInput([{ path: 'records', message: 'expected an iterable or async iterable' }], {
      operation: 'pushMany',
    });
  }
  return run(push, records, concurrency, signal, onProgress, verify);
}

async function* run(
  push: Push,
  records: Records,
  concurrency: number,
  callerSignal: AbortSignal | undefined,
  onProgress: PushManyOptions['onProgress'],
  verify: Verify,
): AsyncGenerator<PushReport> {
  // The run's own signal: one listener on the caller's, whatever the concurrency (src/abort.ts).
  const scope = scopedSignal(callerSignal);
  const signal = scope.signal;
  const iterator = iterate(records);
  const running = new Set<Promise<void>>();
  const finished: PushReport[] = [];
  const progress: PushProgress = {
    done: 0,
    failed: 0,
    inFlight: 0,
    results: { created: 0, updated: 0, unchanged: 0, failed: 0, skipped: 0 },
    duplicates: 0,
  };
  // The keys seen, as 12-byte digests (a collision among a million keys is about 1 in 10^16):
  // duplicates are told apart without keeping every key itself.
  const seen = new Set<string>();
  let wake: (() => void) | undefined;
  let exhausted = false;
  let inputError: { error: unknown } | undefined;

  // The last record started for each key still in the window: a later one of that key chains on
  // it. Entries leave with their record, so the map never holds more than `concurrency` keys.
  const lastOfKey = new Map<string, Promise<void>>();

  function start(record: unknown): void {
    const key = keyOf(record);
    const before = key === undefined ? undefined : lastOfKey.get(key);
    let duplicate = false;
    if (key !== undefined) {
      const digest = createHash('sha256').update(key).digest('base64').slice(0, 16);
      duplicate = seen.has(digest);
      seen.add(digest);
    }
    const task: Promise<void> = (before ?? Promise.resolve())
      .then(() => push(record, { signal, verify }))
      .then((found) => {
        const report = duplicate ? { ...found, duplicate: true } : found;
        running.delete(task);
        if (key !== undefined && lastOfKey.get(key) === task) lastOfKey.delete(key);
        finished.push(report);
        wake?.();
      });
    if (key !== undefined) lastOfKey.set(key, task);
    running.add(task);
  }

  try {
    for (;;) {
      // Finished reports not yet taken count against the window too: memory stays bounded.
      while (!exhausted && !signal?.aborted && running.size + finished.length < concurrency) {
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (error) {
          // Stop reading, but report the records already in flight before rethrowing.
          inputError = { error };
          exhausted = true;
          break;
        }
        if (next.done) exhausted = true;
        else start(next.value);
      }
      const report = finished.shift();
      if (report) {
        count(progress, report, running.size);
        onProgress?.({ ...progress, results: { ...progress.results } });
        yield report;
        continue;
      }
      if (running.size === 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    if (inputError) throw inputError.error;
  } finally {
    if (!exhausted) await iterator.return?.();
    // A consumer that stops early still gets every finished write linked before it goes on.
    await Promise.all(running);
    scope.release();
  }
}

function count(progress: PushProgress, report: PushReport, inFlight: number): void {
  progress.done += 1;
  progress.inFlight = inFlight;
  if (report.duplicate) progress.duplicates = (progress.duplicates ?? 0) + 1;
  if (report.results.some((result) => result.status === 'failed')) progress.failed += 1;
  for (const result of report.results) progress.results[result.status] += 1;
}

/** The key a record's order is kept by; a record without a string key fails on its own. */
function keyOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const { key } = record as { key?: unknown };
  return typeof key === 'string' ? key : undefined;
}

function isIterable(value: unknown): value is Records {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function')
  );
}

function iterate(records: Records): {
  next(): Promise<IteratorResult<unknown>>;
  return?(): Promise<unknown>;
} {
  if (Symbol.asyncIterator in records) return records[Symbol.asyncIterator]();
  const iterator = (records as Iterable<unknown>)[Symbol.iterator]();
  return {
    next: async () => iterator.next(),
    return: async () => iterator.return?.(),
  };
}
