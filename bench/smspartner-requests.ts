import { createSmsPartnerContactStore } from '../providers/smspartner/index.js';
import { serveEmulators } from '../sandbox/server.js';
import { createSmsPartnerEmulator } from '../sandbox/smspartner/emulator.js';

import {
  createContactSync,
  memoryLinkStore,
  type PushStatus,
  type SyncRecord,
} from '../src/sync/index.js';

const KEY = 'bench-smspartner-key';
const GROUP = 'bench-group';

const phoneOf = (index: number) => `+3361${String(index).padStart(7, '0')}`;

export interface SmsPartnerRequestCounts {
  /** Requests by route, e.g. `POST /contact/add: 20`. */
  byRoute: Record<string, number>;
  total: number;
  /** Results by status. */
  results: Record<PushStatus, number>;
  /** Contacts the group holds after the push. */
  held: number;
  elapsedMs: number;
}

/**
 * Pushes `rows` records (keys `crm-<n>`, phones `+3361…<n>`) through `pushMany` into an SMS
 * Partner group that already holds `existing` contacts, none of them linked (phones `0…existing-1`,
 * so the first `min(rows, existing)` records find theirs, with a new first name), and counts the
 * requests the emulator received. `pageSize` is the emulator's `contact/list` page size.
 */
export async function countSmsPartnerRequests(options: {
  rows: number;
  existing: number;
  pageSize?: number;
  concurrency: number;
}): Promise<SmsPartnerRequestCounts> {
  const emulator = createSmsPartnerEmulator({
    apiKey: KEY,
    groups: [GROUP],
    pageSize: options.pageSize,
  });
  emulator.seed(
    GROUP,
    (function* () {
      for (let index = 0; index < options.existing; index += 1) {
        yield { phoneNumber: phoneOf(index), firstname: 'Old', lastname: `L${index}` };
      }
    })(),
  );
  const server = await serveEmulators({ emulators: { smspartner: emulator } });
  try {
    const store = createSmsPartnerContactStore({
      apiKey: KEY,
      groupId: GROUP,
      baseUrl: server.baseUrl('smspartner'),
    });
    const sync = createContactSync({ stores: [store], links: memoryLinkStore() });
    const records = (function* (): Generator<SyncRecord> {
      for (let index = 0; index < options.rows; index += 1) {
        yield {
          key: `crm-${index}`,
          contact: { phone: phoneOf(index), firstName: 'New', lastName: `L${index}` },
        };
      }
    })();
    const results = emptyResults();
    const started = performance.now();
    for await (const report of sync.pushMany(records, { concurrency: options.concurrency })) {
      for (const result of report.results) results[result.status] += 1;
    }
    const elapsedMs = performance.now() - started;
    const byRoute: Record<string, number> = {};
    for (const request of server.requests) {
      const route = `${request.method} ${request.path}`;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
    }
    return {
      byRoute,
      total: server.requests.length,
      results,
      held: emulator.contacts().length,
      elapsedMs,
    };
  } finally {
    await server.close();
  }
}

function emptyResults(): Record<PushStatus, number> {
  return { created: 0, updated: 0, unchanged: 0, failed: 0, skipped: 0 };
}
