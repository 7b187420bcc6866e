import assert from 'node:assert/strict';
import type { ContactStore } from '../contact-store.js';
import { isContactSyncError } from '../errors.js';
import { holdsWhatsAppUserId } from '../identity.js';
import type { CommonOptions, RequestEvent } from '../options.js';
import type { TestCase } from './test-case.js';
import type { VendorDouble, VendorFault } from './vendor-double.js';

/** What one adapter gives the contact-store cases. */
export interface ContactStoreCasesOptions {
  /** The `provider` its contacts and errors carry, e.g. `'acme'`. */
  provider: string;
  /**
   * A store pointed at `vendor` with valid credentials. Spread `options` last over your own: the
   * cases pass `retry` without delays, `rateLimit: false`, `hooks` and `defaultCountry` there.
   */
  makeStore(options: Partial<CommonOptions>): ContactStore;
  /** A store whose credential `vendor` refuses; spread `options` last, as for `makeStore`. */
  makeUnauthorizedStore(options: Partial<CommonOptions>): ContactStore;
  /** The vendor's stand-in: its request log, its contacts, planned failures. */
  vendor: VendorDouble;
  /** Every secret given to the stores (and any token the vendor issues), read after each case. */
  secrets: readonly string[] | (() => readonly string[]);
  /** Contacts per page of the vendor's list, so that `list` crosses pages. */
  pageSize: number;
  /** The vendor's own answer to an input it refuses (HTTP 400/422, or its error envelope). */
  validationFault: VendorFault;
  /** The path (below the base URL) of the vendor's create request, e.g. `/^\/contacts$/`. */
  createPath: RegExp;
  /** A call that must reject `unsupported`, where the vendor lacks something. Default: none. */
  unsupportedCall?(store: ContactStore, existingId: string): Promise<unknown>;
}

/** Distinct French mobile numbers in E.164, so cases never collide with each other. */
const phones = (count: number, start = 0) =>
  Array.from(
    { length: count },
    (_, index) => `+336${String(12_000_000 + start + index).padStart(8, '0')}`,
  );

/** The rejection of `promise`; fails the case when it resolves. */
async function rejection(promise: Promise<unknown>, what: string): Promise<RejectedWith> {
  try {
    await promise;
  } catch (error) {
    return error as RejectedWith;
  }
  assert.fail(`expected ${what} to reject`);
}

/** The fields the cases read on a rejection (a `ContactSyncError` when the adapter is right). */
type RejectedWith = Error & {
  code?: string;
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  issues?: { path: string; message: string }[];
};

/**
 * The behaviour every `ContactStore` shares, as cases any test runner can run: create → get →
 * update → findByPhone → list → upsert twice → delete → get undefined; invalid input sends no
 * request; an unsupported capability rejects; 401, 404, 429 and 5xx classify right; retries never
 * create twice; no secret or phone number leaks into an error or a hook event.
 *
 * ```ts
 * for (const { name, run } of contactStoreCases({ provider: 'acme', makeStore, … })) test(name, run);
 * ```
 */
export function contactStoreCases(options: ContactStoreCasesOptions): TestCase[] {
  const { vendor, provider, unsupportedCall } = options;
  const fast: Partial<CommonOptions> = {
    retry: { retries: 3, minTimeout: 0, maxTimeout: 0 },
    rateLimit: false,
  };
  const store = (overrides: Partial<CommonOptions> = {}) =>
    options.makeStore({ ...fast, ...overrides });
  const unauthorizedStore = () => options.makeUnauthorizedStore({ ...fast });
  const secrets = () =>
    typeof options.secrets === 'function' ? options.secrets() : options.secrets;
  const writes = () => vendor.requests().filter((request) => request.method !== 'GET');
  const creates = () => writes().filter((request) => options.createPath.test(request.path)).length;
  const held = async (phone: string) =>
    (await vendor.contacts()).filter((contact) => contact.phone === phone).length;
  const testCase = (name: string, body: () => Promise<void>): TestCase => ({
    name: `${provider}: ${name}`,
    run: async () => {
      await vendor.reset();
      await body();
    },
  });

  return [
    testCase('creates, reads, updates, finds, deletes a contact', async () => {
      const contacts = store();
      const [phone] = phones(1) as [string];
      const created = await contacts.create({ phone, firstName: 'Jeanne', lastName: 'Martin' });
      assert.equal(created.provider, provider);
      assert.equal(created.phone, phone);
      assert.equal(typeof created.id, 'string');
      assert.equal(await held(phone), 1);

      const read = await contacts.get(created.id);
      assert.equal(read?.id, created.id);
      assert.equal(read?.phone, phone);

      const updated = await contacts.update(created.id, { firstName: 'Jeanne-Marie' });
      assert.equal(updated.id, created.id);
      assert.equal(updated.phone, phone);

      const found = await contacts.findByPhone(phone);
      assert.equal(found?.id, created.id);
      assert.equal(await contacts.findByPhone('+33699999999'), undefined);

      await contacts.delete(created.id);
      assert.equal(await contacts.get(created.id), undefined);
      assert.equal(await held(phone), 0);
      const update = await rejection(contacts.update(created.id, { firstName: 'X' }), 'update');
      assert.equal(update.code, 'not_found');
      const remove = await rejection(contacts.delete(created.id), 'delete');
      assert.equal(remove.code, 'not_found');
    }),

    testCase('accepts a national number with defaultCountry and stores E.164', async () => {
      const created = await store({ defaultCountry: 'FR' }).create({ phone: '06 12 34 56 78' });
      assert.equal(created.phone, '+33612345678');
      assert.equal(await held('+33612345678'), 1);
    }),

    testCase('lists every contact across pages', async () => {
      const contacts = store();
      const wanted = phones(options.pageSize * 2 + 3, 100);
      for (const phone of wanted) await contacts.create({ phone });
      const seen: string[] = [];
      for await (const contact of contacts.list()) seen.push(contact.phone ?? '');
      assert.deepEqual(seen.sort(), [...wanted].sort());
      const limited: string[] = [];
      for await (const contact of contacts.list({ limit: 5 })) limited.push(contact.id);
      assert.equal(limited.length, 5);
    }),

    testCase('upserts: created, then unchanged, then updated', async () => {
      const contacts = store();
      const [phone] = phones(1, 500) as [string];
      // Both name parts: Callbell holds only the composed name, and leaves it alone for one part.
      const first = await contacts.upsert({ phone, firstName: 'Ana', lastName: 'Lopez' });
      assert.equal(first.action, 'created');
      const second = await contacts.upsert({ phone, firstName: 'Ana', lastName: 'Lopez' });
      assert.equal(second.action, 'unchanged');
      assert.equal(second.contact.id, first.contact.id);
      const third = await contacts.upsert({ phone, firstName: 'Anabel', lastName: 'Lopez' });
      assert.equal(third.action, 'updated');
      assert.equal(third.contact.id, first.contact.id);
      assert.equal(await held(phone), 1);
    }),

    testCase(
      'reconciles a known id: unchanged, then updated, then not_found once deleted',
      async () => {
        const contacts = store();
        const { reconcile } = contacts;
        assert.equal(typeof reconcile, 'function', 'the store has no reconcile');
        const [phone] = phones(1, 550) as [string];
        const ana = { phone, firstName: 'Ana', lastName: 'Lopez' };
        const created = await contacts.create(ana);
        const writesBefore = writes().length;
        const same = await contacts.reconcile?.(created.id, ana);
        assert.equal(same?.action, 'unchanged');
        assert.equal(writes().length, writesBefore, 'an unchanged contact was written');
        const changed = await contacts.reconcile?.(created.id, { ...ana, firstName: 'Anabel' });
        assert.equal(changed?.action, 'updated');
        assert.equal(changed?.contact.id, created.id);
        await contacts.delete(created.id);
        const gone = await rejection(
          Promise.resolve(contacts.reconcile?.(created.id, { phone })),
          'reconcile',
        );
        assert.equal(gone.code, 'not_found');
      },
    ),

    testCase('rejects a second create of the same phone as conflict', async () => {
      const contacts = store();
      const [phone] = phones(1, 600) as [string];
      await contacts.create({ phone });
      const error = await rejection(contacts.create({ phone }), 'a second create');
      assert.equal(isContactSyncError(error), true, String(error));
      assert.equal(error.code, 'conflict');
      assert.equal(await held(phone), 1);
    }),

    testCase('sends no request for invalid input', async () => {
      const contacts = store();
      const attempts = [
        () => contacts.create({ phone: 'not a phone' }),
        () => contacts.create({ phone: '0612345678' }),
        () => contacts.create({ phone: '+33612345678', birthday: '21/04/1990' }),
        () => contacts.create({ phone: '+33612345678', url: 'ftp://example.com' }),
        () => contacts.create({ phone: '+33612345678', nickname: 'x' } as never),
        () => contacts.create({ phone: '+33612345678', customFields: { company: 42 } } as never),
        () => contacts.update('', { firstName: 'x' }),
        () => contacts.update('id', { phone: '12' }),
        () => contacts.findByPhone('abc'),
        () => contacts.get(42 as never),
        () => contacts.create(undefined as never),
      ];
      for (const [index, attempt] of attempts.entries()) {
        const error = await rejection(attempt(), `invalid call #${index + 1}`);
        assert.equal(isContactSyncError(error), true, String(error));
        assert.equal(error.code, 'invalid_input', `invalid call #${index + 1}`);
        assert.equal(typeof error.issues?.[0]?.path, 'string', `invalid call #${index + 1}`);
      }
      assert.equal(vendor.requests().length, 0);
    }),

    testCase('names the field in an invalid_input error', async () => {
      const error = await rejection(
        store().create({ phone: '+33612345678', birthday: '1990-02-31' }),
        'create',
      );
      assert.equal(error.issues?.length, 1);
      assert.equal(error.issues?.[0]?.path, 'birthday');
      assert.equal(typeof error.issues?.[0]?.message, 'string');
      assert.match(error.message, /birthday/);
    }),

    testCase('classifies a refused credential as unauthorized, without retrying', async () => {
      const error = await rejection(
        unauthorizedStore().create({ phone: '+33612345678' }),
        'create',
      );
      assert.equal(error.code, 'unauthorized');
      assert.equal(error.retryable, false);
    }),

    testCase(
      'classifies the vendor refusing an input as invalid_input, without retrying',
      async () => {
        vendor.fail({ ...options.validationFault, times: 5 });
        const error = await rejection(store().create({ phone: '+33612345678' }), 'create');
        assert.equal(error.code, 'invalid_input');
        assert.ok(vendor.requests().length <= 2, `${vendor.requests().length} requests`);
        assert.equal(creates(), 1);
      },
    ),

    testCase(
      'classifies 429 as rate_limited and 5xx as provider_error once retries run out',
      async () => {
        vendor.fail({ method: 'GET', status: 429, body: { message: 'slow down' }, times: 1 });
        const limited = await rejection(store({ retry: false }).get('1'), 'get');
        assert.equal(limited.code, 'rate_limited');
        assert.equal(limited.retryable, true);
        vendor.fail({ method: 'GET', status: 500, body: { message: 'boom' }, times: 4 });
        const failed = await rejection(store().get('1'), 'get');
        assert.equal(failed.code, 'provider_error');
        assert.equal(failed.status, 500);
        assert.equal(failed.retryable, true);
      },
    ),

    testCase('retries a 503 and succeeds', async () => {
      vendor.fail({ path: options.createPath, status: 503, body: {} });
      const [phone] = phones(1, 700) as [string];
      const created = await store().create({ phone });
      assert.equal(created.phone, phone);
      assert.equal(await held(phone), 1);
    }),

    testCase('retries a 429 after the Retry-After delay', async () => {
      const events: RequestEvent[] = [];
      vendor.fail({ method: 'GET', status: 429, headers: { 'retry-after': '1' }, body: {} });
      const contacts = store({ hooks: { onRetry: (event) => events.push(event) } });
      const started = Date.now();
      assert.equal(await contacts.get('123'), undefined);
      // A lower bound only: the wait happened (a slow machine can only make it longer).
      assert.ok(Date.now() - started >= 950, 'answered before the Retry-After delay');
      assert.equal(events.length, 1);
      assert.deepEqual(
        { provider: events[0]?.provider, ...pick(events[0], ['code', 'retryAfterMs']) },
        { provider, code: 'rate_limited', retryAfterMs: 1000 },
      );
    }),

    testCase('gives up at once on a Retry-After longer than maxRetryAfter', async () => {
      vendor.fail({ method: 'GET', status: 429, headers: { 'retry-after': '120' }, body: {} });
      const error = await rejection(
        store({ retry: { minTimeout: 0, maxRetryAfter: 5000 } }).get('123'),
        'get',
      );
      assert.equal(error.code, 'rate_limited');
      assert.equal(error.retryAfterMs, 120_000);
      assert.equal(vendor.requests().filter((request) => request.method === 'GET').length, 1);
    }),

    testCase('does not create twice when a create response is lost', async () => {
      vendor.fail({ path: options.createPath, method: 'POST', drop: 'after' });
      const [phone] = phones(1, 800) as [string];
      const created = await store().create({ phone, firstName: 'Lost' });
      assert.equal(created.phone, phone);
      assert.equal(await held(phone), 1);
    }),

    testCase(
      'does not create twice when a create times out after the vendor stored it',
      async () => {
        vendor.fail({ path: options.createPath, method: 'POST', status: 502, body: {} });
        vendor.fail({ path: options.createPath, method: 'POST', drop: 'after' });
        const [phone] = phones(1, 900) as [string];
        const result = await store().upsert({ phone, firstName: 'Twice' });
        assert.ok(['created', 'updated', 'unchanged'].includes(result.action), result.action);
        assert.equal(await held(phone), 1);
      },
    ),

    testCase('rejects aborted before sending anything', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(
        store().create({ phone: '+33612345678' }, { signal: controller.signal }),
        'create',
      );
      assert.equal(error.code, 'aborted');
      assert.equal(vendor.requests().length, 0);
    }),

    testCase('declares what identifies a contact (capabilities.identity)', async () => {
      const identity = store().capabilities.identity;
      assert.ok(Array.isArray(identity), 'capabilities.identity must be an array');
      assert.ok(identity.includes('phone'), "capabilities.identity must include 'phone'");
      for (const field of identity) {
        assert.ok(['phone', 'whatsappUserId'].includes(field), `unknown identity ${field}`);
      }
    }),

    // A store that needs a phone says so before any request; one that holds WhatsApp user ids
    // proves it in the cases of `whatsappUserIdCases` below.
    ...(holdsWhatsAppUserId(store().capabilities)
      ? whatsappUserIdCases(store, vendor, testCase)
      : [
          testCase(
            'refuses a contact without a phone as unsupported naming phone, sending nothing',
            async () => {
              const contacts = store();
              const input = { whatsappUserId: 'US.13491208655302741918', name: 'No Phone' };
              const attempts = [
                () => contacts.create(input),
                () => contacts.upsert(input),
                () => Promise.resolve().then(() => contacts.preview('create', input)),
                ...(contacts.upsertMany
                  ? [
                      async () => {
                        const [outcome] = (await contacts.upsertMany?.([input])) ?? [];
                        if (outcome?.status === 'rejected') throw outcome.reason;
                      },
                    ]
                  : []),
              ];
              for (const [index, attempt] of attempts.entries()) {
                const error = await rejection(attempt(), `phone-less call #${index + 1}`);
                assert.equal(isContactSyncError(error), true, String(error));
                assert.equal(error.code, 'unsupported', `phone-less call #${index + 1}`);
                assert.equal(error.issues?.[0]?.path, 'phone', `phone-less call #${index + 1}`);
                assert.match(error.message, /phone/);
                assert.ok(!error.message.includes(input.whatsappUserId), 'the id leaked');
              }
              assert.equal(vendor.requests().length, 0, 'a phone-less input reached the vendor');
            },
          ),
          testCase('keeps a contact by its phone and warns of a WhatsApp user id', async () => {
            const [phone] = phones(1, 1000) as [string];
            const created = await store().create({ phone, whatsappUserId: 'US.1349120865' });
            assert.equal(created.phone, phone);
            assert.equal(created.whatsappUserId, undefined);
            const warning = created.warnings.find((item) => item.field === 'whatsappUserId');
            assert.equal(warning?.reason, 'unsupported');
            assert.equal(await held(phone), 1);
          }),
        ]),

    // Only where the vendor lacks something: a case that cannot fail is no case.
    ...(unsupportedCall
      ? [
          testCase('rejects unsupported operations with code unsupported', async () => {
            const contacts = store();
            const created = await contacts.create({ phone: '+33612345999' });
            const writesBefore = writes().length;
            const error = await rejection(
              unsupportedCall(contacts, created.id),
              'the unsupported call',
            );
            assert.equal(error.code, 'unsupported');
            assert.equal(writes().length, writesBefore, 'an unsupported call wrote to the vendor');
          }),
        ]
      : []),

    testCase('keeps keys, tokens and phone numbers out of errors and hook events', async () => {
      const events: unknown[] = [];
      const hooks = {
        onRequest: (event: unknown) => events.push(event),
        onResponse: (event: unknown) => events.push(event),
        onRetry: (event: unknown) => events.push(event),
      };
      const phone = '+33612345678';
      const errors: unknown[] = [];
      const settle = (promise: Promise<unknown>) =>
        promise.then(
          () => undefined,
          (error: unknown) => error,
        );
      const contacts = store({ hooks });
      await contacts.create({ phone });
      errors.push(await settle(contacts.create({ phone })));
      vendor.fail({ status: 500, body: { message: `failed for ${phone} 33612345678` }, times: 10 });
      errors.push(await settle(contacts.findByPhone(phone)));
      errors.push(await settle(unauthorizedStore().findByPhone(phone)));
      vendor.fail({ drop: 'before', times: 10 });
      errors.push(await settle(contacts.get('1')));
      assert.ok(
        errors.every((error) => error instanceof Error),
        'every call above must reject',
      );
      const texts = [
        ...errors.map(
          (error) => `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`,
        ),
        ...errors.map((error) => String((error as Error).cause ?? '')),
        JSON.stringify(events),
      ];
      const forbidden = [...secrets(), phone, phone.slice(1), '612345678'];
      for (const text of texts) {
        for (const secret of forbidden) {
          assert.ok(
            !text.includes(secret),
            'a secret or phone number leaked into an error or event',
          );
        }
      }
      assert.ok(events.length > 0, 'no hook event was emitted');
    }),
  ];
}

/**
 * The cases of a store that declares `capabilities.identity` with `'whatsappUserId'`: a contact
 * known by its WhatsApp user id alone is created, read, found, listed, upserted and deleted.
 */
function whatsappUserIdCases(
  store: (overrides?: Partial<CommonOptions>) => ContactStore,
  vendor: VendorDouble,
  testCase: (name: string, body: () => Promise<void>) => TestCase,
): TestCase[] {
  const heldById = async (whatsappUserId: string) =>
    (await vendor.contacts()).filter((contact) => contact.whatsappUserId === whatsappUserId).length;
  const lookup = (contacts: ContactStore) => {
    const find = contacts.findByWhatsAppUserId;
    assert.ok(
      typeof find === 'function',
      "a store whose identity includes 'whatsappUserId' must have findByWhatsAppUserId",
    );
    return find.bind(contacts);
  };
  return [
    testCase('holds a contact known by its WhatsApp user id alone', async () => {
      const contacts = store();
      const find = lookup(contacts);
      const whatsappUserId = 'US.13491208655302741918';
      const created = await contacts.create({ whatsappUserId, name: 'Username Only' });
      assert.equal(created.phone, undefined);
      assert.equal(created.whatsappUserId, whatsappUserId);
      assert.equal(await heldById(whatsappUserId), 1);
      assert.equal((await contacts.get(created.id))?.whatsappUserId, whatsappUserId);
      assert.equal((await find(whatsappUserId))?.id, created.id);
      // Exact and case-sensitive: another spelling is another user.
      assert.equal(await find(whatsappUserId.toLowerCase().replace('us.', 'uS.')), undefined);
      assert.equal(await find('US.99999999999999999999'), undefined);
      const listed: string[] = [];
      for await (const contact of contacts.list()) {
        if (contact.whatsappUserId === whatsappUserId) listed.push(contact.id);
      }
      assert.deepEqual(listed, [created.id], 'list() must include a phone-less contact once');
      const again = await contacts.upsert({ whatsappUserId, name: 'Username Only' });
      assert.equal(again.contact.id, created.id);
      assert.equal(again.action, 'unchanged');
      const renamed = await contacts.upsert({ whatsappUserId, name: 'Renamed' });
      assert.equal(renamed.action, 'updated');
      assert.equal(renamed.contact.id, created.id);
      assert.equal(await heldById(whatsappUserId), 1);
      await contacts.delete(created.id);
      assert.equal(await find(whatsappUserId), undefined);
    }),

    testCase('refuses a phone whose contact holds another WhatsApp user id', async () => {
      const contacts = store();
      const phone = '+33612399001';
      const first = await contacts.create({ phone, whatsappUserId: 'FR.111111111' });
      const writesBefore = vendor.requests().filter((request) => request.method !== 'GET').length;
      const upsert = contacts.upsert({ phone, whatsappUserId: 'FR.222222222', name: 'Other' });
      if (first.whatsappUserId === 'FR.111111111') {
        const error = await rejection(upsert, 'the upsert');
        assert.equal(error.code, 'conflict');
        assert.equal((error as RejectedWith & { existingId?: string }).existingId, first.id);
        assert.match(error.message, /whatsappUserId/);
        const writes = vendor.requests().filter((request) => request.method !== 'GET').length;
        assert.equal(writes, writesBefore, 'a conflicting upsert wrote to the vendor');
      } else {
        // The vendor did not keep the id given on create: said, never dropped silently.
        const warning = first.warnings.find((item) => item.field === 'whatsappUserId');
        assert.equal(warning?.reason, 'ignored');
        await upsert;
      }
    }),

    testCase('refuses a bad WhatsApp user id before any request', async () => {
      const contacts = store();
      const find = lookup(contacts);
      for (const bad of ['', 'has space', 42]) {
        const error = await rejection(find(bad as string), 'the lookup');
        assert.equal(error.code, 'invalid_input');
        assert.equal(error.issues?.[0]?.path, 'whatsappUserId');
      }
      const error = await rejection(contacts.create({} as never), 'a create without identity');
      assert.equal(error.code, 'invalid_input');
      assert.equal(error.issues?.[0]?.path, 'phone');
      assert.equal(vendor.requests().length, 0);
    }),

    testCase('keeps WhatsApp user ids out of errors and hook events', async () => {
      const events: unknown[] = [];
      const hooks = {
        onRequest: (event: unknown) => events.push(event),
        onResponse: (event: unknown) => events.push(event),
        onRetry: (event: unknown) => events.push(event),
      };
      const contacts = store({ hooks });
      const whatsappUserId = 'bsuid_private42';
      vendor.fail({ status: 500, body: { message: `failed for ${whatsappUserId}` }, times: 10 });
      const error = await rejection(lookup(contacts)(whatsappUserId), 'the lookup');
      const text = `${String(error)} ${JSON.stringify(error)} ${error.stack} ${String(error.cause ?? '')}`;
      assert.ok(!text.includes(whatsappUserId), 'a WhatsApp user id leaked into an error');
      assert.ok(events.length > 0, 'no hook event was emitted');
      assert.ok(!JSON.stringify(events).includes(whatsappUserId), 'it leaked into a hook event');
    }),
  ];
}

function pick<T extends object>(value: T | undefined, keys: string[]): Record<string, unknown> {
  const record = (value ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, record[key]]));
}
