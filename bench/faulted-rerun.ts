import { createCallbellContactStore } from '../providers/callbell/index.js';
import { createNotificoreContactStore } from '../providers/notificore/index.js';
import { createSmsPartnerContactStore } from '../providers/smspartner/index.js';
import { createCallbellEmulator } from '../sandbox/callbell/emulator.js';
import { createNotificoreEmulator } from '../sandbox/notificore/emulator.js';
import { DEFAULT_FAULT_KINDS, serveEmulators } from '../sandbox/server.js';
import { createSmsPartnerEmulator } from '../sandbox/smspartner/emulator.js';
import type { ContactStore } from '../src/contact-store.js';
import {
  createContactSync,
  memoryLinkStore,
  type PushReport,
  type PushStatus,
  type SyncRecord,
} from '../src/sync/index.js';

const KEY = 'bench-smspartner-key';
const GROUP = 'bench-group';

const phoneOf = (index: number) => `+3361${String(index).padStart(7, '0')}`;

export interface FaultedRunFigures {
  records: number;
  faultRate: number;
  first: RunFigures;
  rerun: RunFigures;
  /** Per vendor: contacts held, distinct phones among them, and input phones missing. */
  vendors: { provider: string; held: number; distinctPhones: number; missing: number }[];
}

interface RunFigures {
  elapsedMs: number;
  results: Record<PushStatus, number>;
  requests: number;
  faults: number;
  failureCodes: Record<string, number>;
}

/**
 * Done-when of issue 12: `records` records pushed to the three vendors with `faultRate` of the
 * requests failed (500, 502, 503, 429, connections dropped before and after the vendor acted),
 * then the same records pushed again with the same links, each read back, at the same fault rate. The rerun must
 * create nothing, and each vendor must end with exactly one contact per key.
 */
export async function runFaultedTwice(options: {
  records: number;
  faultRate: number;
  concurrency: number;
  seed?: number;
  log?: (line: string) => void;
}): Promise<FaultedRunFigures> {
  const emulators = {
    smspartner: createSmsPartnerEmulator({ apiKey: KEY, groups: [GROUP] }),
    callbell: createCallbellEmulator({ apiToken: 'bench-callbell-token' }),
    notificore: createNotificoreEmulator({ apiKey: 'test_bench-notificore-key' }),
  };
  const server = await serveEmulators({
    emulators,
    seed: options.seed ?? 1,
    faults: { rate: options.faultRate, kinds: [...DEFAULT_FAULT_KINDS], retryAfter: 0.05 },
    logLimit: 10_000_000,
  });
  // Enough retries that a record gives up only when something is really wrong: at a 20 % fault
  // rate, nine attempts all failing is a one-in-two-million event per request.
  const common = { retry: { retries: 8, minTimeout: 1, maxTimeout: 50 }, timeout: 10_000 };
  const stores: ContactStore[] = [
    createSmsPartnerContactStore({
      apiKey: KEY,
      groupId: GROUP,
      baseUrl: server.baseUrl('smspartner'),
      ...common,
    }),
    createCallbellContactStore({
      apiToken: 'bench-callbell-token',
      baseUrl: server.baseUrl('callbell'),
      ...common,
    }),
    createNotificoreContactStore({
      apiKey: 'test_bench-notificore-key',
      baseUrl: server.baseUrl('notificore'),
      ...common,
    }),
  ];
  const links = memoryLinkStore();
  const sync = createContactSync({ stores, links });
  // The rerun reads every linked contact back (`verify: 'always'`), so it proves the links against
  // what the vendors hold, under the same faults; trusting the sync state it would send nothing.
  const run = async (label: string, verify: 'never' | 'always'): Promise<RunFigures> => {
    const before = server.requests.length;
    const faultsBefore = server.requests.filter((request) => request.fault).length;
    const results = emptyResults();
    const failureCodes: Record<string, number> = {};
    const started = performance.now();
    let done = 0;
    const records = (function* (): Generator<SyncRecord> {
      for (let index = 0; index < options.records; index += 1) {
        yield { key: `crm-${index}`, contact: { phone: phoneOf(index), firstName: `F${index}` } };
      }
    })();
    for await (const report of sync.pushMany(records, {
      concurrency: options.concurrency,
      verify,
    })) {
      count(report, results, failureCodes);
      done += 1;
      if (done % 5000 === 0) options.log?.(`${label}: ${done} records`);
    }
    return {
      elapsedMs: performance.now() - started,
      results,
      requests: server.requests.length - before,
      faults: server.requests.filter((request) => request.fault).length - faultsBefore,
      failureCodes,
    };
  };
  try {
    const first = await run('first run', 'never');
    const rerun = await run('rerun', 'always');
    const vendors = Object.values(emulators).map((emulator) => {
      const held = emulator.contacts();
      const phones = new Set(held.map((contact) => contact.phone));
      let missing = 0;
      for (let index = 0; index < options.records; index += 1) {
        if (!phones.has(phoneOf(index))) missing += 1;
      }
      return {
        provider: emulator.provider,
        held: held.length,
        distinctPhones: phones.size,
        missing,
      };
    });
    return { records: options.records, faultRate: options.faultRate, first, rerun, vendors };
  } finally {
    await server.close();
  }
}

function count(
  report: PushReport,
  results: Record<PushStatus, number>,
  failureCodes: Record<string, number>,
): void {
  for (const result of report.results) {
    results[result.status] += 1;
    if (result.error) {
      const code = `${result.provider} ${result.error.code}`;
      failureCodes[code] = (failureCodes[code] ?? 0) + 1;
    }
  }
}

function emptyResults(): Record<PushStatus, number> {
  return { created: 0, updated: 0, unchanged: 0, failed: 0, skipped: 0 };
}
