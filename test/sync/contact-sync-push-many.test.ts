import { describe, expect, it } from 'vitest';
import { ContactSyncError } from '../../src/errors.js';
import {
  createContactSync,
  memoryLinkStore,
  type PushProgress,
  type PushReport,
  type SyncRecord,
} from '../../src/sync/index.js';
import { createFakeContactStore } from './support/fake-contact-store.js';

const phoneOf = (index: number) => `+3361234${String(index).padStart(4, '0')}`;
const recordOf = (index: number): SyncRecord => ({
  key: `crm-${index}`,
  contact: { phone: phoneOf(index) },
});

/** A generator that counts how many records were pulled from it. */
function countingInput(total: number) {
  const state = { pulled: 0, returned: false };
  function* records(): Generator<SyncRecord> {
    try {
      for (let index = 0; index < total; index++) {
        state.pulled += 1;
        yield recordOf(index);
      }
    } finally {
      state.returned = true;
    }
  }
  return { state, records: records() };
}

/** Lets pending promises run until `condition` holds (no timers). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}

async function collect(reports: AsyncIterable<PushReport>): Promise<PushReport[]> {
  const all: PushReport[] = [];
  for await (const report of reports) all.push(report);
  return all;
}

describe('ContactSync.pushMany', () => {
  it('pushes every record of a sync iterable and links each', async () => {
    const alpha = createFakeContactStore('alpha');
    const beta = createFakeContactStore('beta');
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [alpha, beta], links });
    const reports = await collect(
      sync.pushMany(Array.from({ length: 30 }, (_, index) => recordOf(index))),
    );
    expect(reports).toHaveLength(30);
    expect(new Set(reports.map((report) => report.key)).size).toBe(30);
    expect(alpha.contacts.size).toBe(30);
    expect(beta.contacts.size).toBe(30);
    expect(await links.get('crm-29')).toEqual({
      alpha: expect.any(String),
      beta: expect.any(String),
    });
  });

  it('reads an async iterable too', async () => {
    const alpha = createFakeContactStore('alpha');
    async function* records() {
      for (let index = 0; index < 5; index++) yield recordOf(index);
    }
    const reports = await collect(createContactSync({ stores: [alpha] }).pushMany(records()));
    expect(reports.map((report) => report.results[0]?.status)).toEqual(Array(5).fill('created'));
  });

  it('yields reports in completion order, not input order', async () => {
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const alpha = createFakeContactStore('alpha', {
      before: (_operation, subject) => (subject.phone === phoneOf(0) ? firstHeld : undefined),
    });
    const sync = createContactSync({ stores: [alpha] });
    const keys: string[] = [];
    for await (const report of sync.pushMany([0, 1, 2].map(recordOf), { concurrency: 3 })) {
      keys.push(report.key);
      if (keys.length === 2) releaseFirst();
    }
    expect(keys).toEqual(['crm-1', 'crm-2', 'crm-0']);
  });

  it('does not read input ahead of the concurrency window while writes are blocked', async () => {
    const alpha = createFakeContactStore('alpha');
    const release = alpha.hold();
    const { state, records } = countingInput(1000);
    const iterator = createContactSync({ stores: [alpha] })
      .pushMany(records, { concurrency: 4 })
      [Symbol.asyncIterator]();
    const first = iterator.next();
    await until(() => alpha.waiting() === 4);
    expect(state.pulled).toBe(4);
    release();
    expect((await first).done).toBe(false);
    // The consumer has not asked for more: the finished reports still fill the window.
    await until(() => alpha.waiting() === 0);
    expect(state.pulled).toBe(4);
    let count = 1;
    while (!(await iterator.next()).done) count++;
    expect(count).toBe(1000);
    expect(state.pulled).toBe(1000);
  });

  it('runs a later record of a key only after the earlier one, and counts it in the window meanwhile', async () => {
    const alpha = createFakeContactStore('alpha');
    const release = alpha.hold();
    let pulled = 0;
    // Four records of one key, then others: only the first of the key may be at the vendor.
    function* records(): Generator<SyncRecord> {
      for (let index = 0; index < 4; index += 1) {
        pulled += 1;
        yield { key: 'same', contact: { phone: phoneOf(0), firstName: `v${index}` } };
      }
      for (let index = 1; index < 20; index += 1) {
        pulled += 1;
        yield recordOf(index);
      }
    }
    const iterator = createContactSync({ stores: [alpha] })
      .pushMany(records(), { concurrency: 4 })
      [Symbol.asyncIterator]();
    const first = iterator.next();
    // The window is full of one key: one call at the vendor, three records waiting their turn.
    await until(() => pulled === 4 && alpha.waiting() === 1);
    for (let turn = 0; turn < 50; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(alpha.waiting()).toBe(1);
    expect(pulled).toBe(4);
    release();
    const reports = [(await first).value as PushReport];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      reports.push(next.value);
    }
    const same = reports.filter((report) => report.key === 'same');
    expect(same.map((report) => report.record.contact.firstName)).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(
      [...alpha.contacts.values()].find((contact) => contact.phone === phoneOf(0))?.firstName,
    ).toBe('v3');
    expect(reports).toHaveLength(23);
  });

  it('lets a fast vendor run a full window ahead of a blocked one, and no further', async () => {
    const slow = createFakeContactStore('slow');
    const fast = createFakeContactStore('fast');
    const release = slow.hold();
    const sync = createContactSync({ stores: [slow, fast] });
    const { state, records } = countingInput(100);
    const iterator = sync.pushMany(records, { concurrency: 8 })[Symbol.asyncIterator]();
    const first = iterator.next();
    await until(() => slow.waiting() === 8 && fast.contacts.size === 8);
    // The fast vendor was not held back behind the slow one's calls...
    expect(fast.contacts.size).toBe(8);
    // ...and nothing beyond the window was read or buffered.
    expect(state.pulled).toBe(8);
    release();
    await first;
    while (!(await iterator.next()).done) {}
    expect(fast.contacts.size).toBe(100);
    expect(slow.contacts.size).toBe(100);
  });

  it('reports a bad row and goes on with the rest', async () => {
    const alpha = createFakeContactStore('alpha');
    const records = [
      recordOf(0),
      { key: 'crm-bad', contact: { phone: 'not a phone' } },
      recordOf(2),
    ];
    const reports = await collect(createContactSync({ stores: [alpha] }).pushMany(records));
    const byKey = Object.fromEntries(reports.map((report) => [report.key, report.results[0]]));
    expect(byKey['crm-bad']).toMatchObject({ status: 'failed', error: { code: 'invalid_input' } });
    expect(byKey['crm-0']?.status).toBe('created');
    expect(byKey['crm-2']?.status).toBe('created');
  });

  it('calls onProgress after each record with running counts', async () => {
    const alpha = createFakeContactStore('alpha');
    const beta = createFakeContactStore('beta');
    beta.fail(
      'upsert',
      new ContactSyncError({ code: 'rate_limited', provider: 'beta', operation: 'upsert' }),
      2,
    );
    const progress: PushProgress[] = [];
    const sync = createContactSync({ stores: [alpha, beta] });
    await collect(
      sync.pushMany([0, 1, 2, 3].map(recordOf), {
        concurrency: 1,
        onProgress: (current) => progress.push(current),
      }),
    );
    expect(progress.map((current) => [current.done, current.failed])).toEqual([
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 2],
    ]);
    expect(progress.at(-1)?.results).toEqual({
      created: 6,
      updated: 0,
      unchanged: 0,
      failed: 2,
      skipped: 0,
    });
  });

  it('on abort, stops reading, cancels the calls in flight and keeps every finished write linked', async () => {
    const hang = new Promise<void>(() => {});
    const alpha = createFakeContactStore('alpha');
    // beta hangs from the fifth record on; alpha keeps answering.
    const beta = createFakeContactStore('beta', {
      before: (_operation, subject) => (Number(subject.phone?.slice(-4)) >= 4 ? hang : undefined),
    });
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [alpha, beta], links });
    const controller = new AbortController();
    const { state, records } = countingInput(1000);
    const reports: PushReport[] = [];
    const run = collect(sync.pushMany(records, { concurrency: 2, signal: controller.signal }));
    await until(() => beta.calls.length === 6 && alpha.contacts.size === 6);
    controller.abort();
    reports.push(...(await run));
    expect(state.pulled).toBe(6);
    expect(state.returned).toBe(true);
    expect(reports).toHaveLength(6);
    for (const report of reports.slice(0, 4)) {
      expect(report.results.map((result) => result.status)).toEqual(['created', 'created']);
      expect(Object.keys((await links.get(report.key)) ?? {})).toEqual(['alpha', 'beta']);
    }
    for (const report of reports.slice(4)) {
      expect(report.results.map((result) => result.status)).toEqual(['created', 'failed']);
      expect(report.results[1]?.error?.code).toBe('aborted');
      // alpha's write finished before the abort: it is linked.
      expect(await links.get(report.key)).toEqual({ alpha: report.results[0]?.id });
    }
  });

  it('reads nothing when the signal has already fired', async () => {
    const alpha = createFakeContactStore('alpha');
    const { state, records } = countingInput(10);
    const reports = await collect(
      createContactSync({ stores: [alpha] }).pushMany(records, { signal: AbortSignal.abort() }),
    );
    expect(reports).toEqual([]);
    expect(state.pulled).toBe(0);
  });

  it('yields the reports in flight before rethrowing an error of the input', async () => {
    const alpha = createFakeContactStore('alpha');
    function* records() {
      yield recordOf(0);
      yield recordOf(1);
      throw new Error('bad csv');
    }
    const reports: PushReport[] = [];
    const consume = async () => {
      for await (const report of createContactSync({ stores: [alpha] }).pushMany(records())) {
        reports.push(report);
      }
    };
    await expect(consume()).rejects.toThrow('bad csv');
    expect(reports.map((report) => report.key).sort()).toEqual(['crm-0', 'crm-1']);
  });

  it('finishes and links the records in flight when the consumer stops early', async () => {
    const alpha = createFakeContactStore('alpha');
    const links = memoryLinkStore();
    const { state, records } = countingInput(100);
    for await (const _report of createContactSync({ stores: [alpha], links }).pushMany(records, {
      concurrency: 4,
    })) {
      break;
    }
    expect(state.returned).toBe(true);
    expect(alpha.contacts.size).toBe(state.pulled);
    for (let index = 0; index < state.pulled; index++) {
      expect(await links.get(`crm-${index}`)).toBeDefined();
    }
  });
});
