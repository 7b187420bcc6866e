import fc from 'fast-check';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createContactStore } from '../../providers/registry.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import type { ContactStore } from '../../src/contact-store.js';
import { isContactSyncError } from '../../src/errors.js';
import { createContactSync } from '../../src/sync/index.js';
import { configLike, contactLike, junk, nastyString, validPhone } from './support/arbitraries.js';

/**
 * Generated configs, contacts, patches, ids and options through every public entry: nothing but a
 * ContactSyncError ever comes out, and input refused as invalid never reaches the network.
 */

let requests = 0;
/** Every store here sends through this: it counts, and answers as a vendor that is down. */
const countingFetch: typeof fetch = async () => {
  requests += 1;
  return new Response('{"error":"down"}', {
    status: 503,
    headers: { 'content-type': 'application/json' },
  });
};

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

const quick = { retry: false, rateLimit: false, breaker: false, fetch: countingFetch } as const;

function stores(): ContactStore[] {
  return [
    createSmsPartnerContactStore({
      apiKey: 'key-123456',
      groupId: 'group-1',
      fieldMap: { company: 'custom1' },
      ...quick,
    }),
    createCallbellContactStore({
      apiToken: 'token-123456',
      fieldMap: { company: 'Company' },
      ...quick,
    }),
    createNotificoreContactStore({
      apiKey: 'test_key-123456',
      fieldMap: { firstName: 'First name', company: 25970 },
      ...quick,
    }),
    createNotificoreContactStore({
      apiKey: 'test_key-123456',
      fieldMap: { firstName: 25964 },
      onUnmapped: 'error',
      ...quick,
    }),
  ];
}

/** Runs `call`; it must resolve, or reject with a ContactSyncError. */
async function outcome(call: () => unknown): Promise<{ error?: unknown; requests: number }> {
  const before = requests;
  try {
    const value = call();
    if (value && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      for await (const _ of value as AsyncIterable<unknown>) break;
    } else {
      await value;
    }
    return { requests: requests - before };
  } catch (error) {
    return { error, requests: requests - before };
  }
}

/** Refused before sending: then nothing was sent. */
function expectTyped(result: { error?: unknown; requests: number }): void {
  if (result.error === undefined) return;
  if (!isContactSyncError(result.error)) {
    throw new Error(`not a ContactSyncError: ${String(result.error)}`, { cause: result.error });
  }
  if (['invalid_input', 'invalid_config', 'unsupported', 'aborted'].includes(result.error.code)) {
    expect(result.requests, result.error.message).toBe(0);
  } else {
    // Past validation, the only answer here is the vendor's 503.
    expect(result.error.code, result.error.message).toBe('provider_error');
  }
}

const id = fc.oneof(fc.constantFrom('123', 'abc'), nastyString, junk);
const phoneArg = fc.oneof(validPhone, nastyString, junk);
const runs = { numRuns: 150 };

describe('fuzz: factories', () => {
  it('createContactStore and each vendor factory: a store or invalid_config, nothing sent', () => {
    const factories = [
      createContactStore,
      createSmsPartnerContactStore,
      createCallbellContactStore,
      createNotificoreContactStore,
    ] as ((config: unknown) => ContactStore)[];
    fc.assert(
      fc.property(configLike, fc.nat(3), (config, which) => {
        const factory = factories[which] as (config: unknown) => ContactStore;
        try {
          const store = factory(config);
          expect(typeof store.create).toBe('function');
        } catch (error) {
          if (!isContactSyncError(error)) throw error;
          expect(error.code).toBe('invalid_config');
        }
        expect(requests).toBe(0);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});

describe('fuzz: every ContactStore method', () => {
  const all = stores();

  it('create, upsert and preview(create) with generated contacts', async () => {
    await fc.assert(
      fc.asyncProperty(contactLike, fc.nat(all.length - 1), async (input, which) => {
        const store = all[which] as ContactStore;
        expectTyped(await outcome(() => store.create(input as never)));
        expectTyped(await outcome(() => store.upsert(input as never)));
        const preview = await outcome(() => store.preview('create', input as never));
        expect(preview.requests).toBe(0);
        expectTyped(preview);
      }),
      runs,
    );
  });

  it('update, reconcile and preview(update) with generated ids and patches', async () => {
    await fc.assert(
      fc.asyncProperty(id, contactLike, fc.nat(all.length - 1), async (contactId, patch, which) => {
        const store = all[which] as ContactStore;
        expectTyped(await outcome(() => store.update(contactId as never, patch as never)));
        if (store.reconcile) {
          expectTyped(await outcome(() => store.reconcile?.(contactId as never, patch as never)));
        }
        const preview = await outcome(() =>
          store.preview('update', patch as never, contactId as never),
        );
        expect(preview.requests).toBe(0);
        expectTyped(preview);
      }),
      runs,
    );
  });

  it('get, delete, findByPhone, list and preview with generated arguments', async () => {
    await fc.assert(
      fc.asyncProperty(
        id,
        phoneArg,
        fc.oneof(fc.record({ limit: fc.oneof(fc.integer(), junk) }), junk),
        junk,
        fc.nat(all.length - 1),
        async (contactId, phone, listOptions, operation, which) => {
          const store = all[which] as ContactStore;
          expectTyped(await outcome(() => store.get(contactId as never)));
          expectTyped(await outcome(() => store.delete(contactId as never)));
          expectTyped(await outcome(() => store.findByPhone(phone as never)));
          expectTyped(await outcome(() => store.list(listOptions as never)));
          const preview = await outcome(() =>
            store.preview(operation as never, {} as never, contactId as never),
          );
          expect(preview.requests).toBe(0);
          expectTyped(preview);
        },
      ),
      runs,
    );
  });

  it('call options: a junk options argument or an aborted signal is typed', async () => {
    const aborted = AbortSignal.abort();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(junk, fc.constant({ signal: aborted }), fc.record({ signal: junk })),
        fc.nat(all.length - 1),
        async (options, which) => {
          const store = all[which] as ContactStore;
          expectTyped(await outcome(() => store.get('1', options as never)));
          expectTyped(
            await outcome(() => store.upsert({ phone: '+33612345678' }, options as never)),
          );
          expectTyped(await outcome(() => store.list(options as never)));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('fuzz: createContactSync, push and pushMany', () => {
  it('generated sync options: a ContactSync or invalid_config', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            stores: fc.oneof(fc.constant(stores()), fc.array(junk, { maxLength: 2 }), junk),
            links: junk,
            policy: fc.oneof(fc.constantFrom('all', 'primary'), junk),
            defaultCountry: fc.oneof(fc.constantFrom('FR', 'XX'), junk),
            extra: junk,
          },
          { requiredKeys: [] },
        ),
        (options) => {
          try {
            createContactSync(options as never);
          } catch (error) {
            if (!isContactSyncError(error)) throw error;
            expect(error.code).toBe('invalid_config');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('push never throws; an invalid record fails at every store with invalid_input, unsent', async () => {
    const sync = createContactSync({ stores: stores().slice(0, 3), defaultCountry: 'FR' });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.record({ key: fc.oneof(nastyString, junk), contact: contactLike }), junk),
        async (record) => {
          const before = requests;
          const report = await sync.push(record as never);
          expect(report.results).toHaveLength(3);
          for (const result of report.results) {
            if (result.status !== 'failed') continue;
            expect(isContactSyncError(result.error)).toBe(true);
          }
          const refused = report.results.every((result) => result.error?.code === 'invalid_input');
          if (refused) expect(requests - before).toBe(0);
        },
      ),
      runs,
    );
  });

  it('pushMany with generated records and options yields a report per record or throws typed', async () => {
    const sync = createContactSync({ stores: stores().slice(0, 1) });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.record({ key: nastyString, contact: contactLike }), { maxLength: 5 }),
          junk,
        ),
        fc.oneof(
          fc.record(
            { concurrency: fc.oneof(fc.integer(), junk), onProgress: junk },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (records, options) => {
          try {
            let count = 0;
            for await (const report of sync.pushMany(records as never, options as never)) {
              expect(report.results).toHaveLength(1);
              count += 1;
            }
            if (Array.isArray(records)) expect(count).toBe(records.length);
          } catch (error) {
            if (!isContactSyncError(error)) throw error;
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
