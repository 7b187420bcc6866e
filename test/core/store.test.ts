import { describe, expect, it } from 'vitest';
import type { Contact, ContactInput, ContactPatch } from '../../src/contact.js';
import type { Capabilities } from '../../src/contact-store.js';
import { ContactSyncError } from '../../src/errors.js';
import { resolveRetryPolicy, withRetry } from '../../src/retry.js';
import {
  type ContactStoreDriver,
  defineContactStore,
  isUnchanged,
  reportUnmapped,
} from '../../src/store.js';

type Step = 'ok' | ContactSyncError | 'store-then-fail';

const retryPolicy = resolveRetryPolicy({ retries: 3, minTimeout: 0, maxTimeout: 0 });

const capabilities = (overrides: Partial<Capabilities> = {}): Capabilities => ({
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'native',
  findByPhone: 'native',
  upsert: 'native',
  changePhone: 'native',
  tags: 'native',
  assignedUser: 'unsupported',
  ...overrides,
});

/** An in-memory driver whose create can be told to fail, or to store and then fail. */
function fakeDriver(caps: Capabilities = capabilities()) {
  const held = new Map<string, Contact>();
  const createSteps: Step[] = [];
  const calls: string[] = [];
  let next = 1;
  const toContact = (id: string, input: ContactPatch): Contact => ({
    ...(input as ContactInput),
    id,
    provider: 'fake',
    warnings: [],
    raw: input,
  });
  const driver: ContactStoreDriver = {
    provider: 'fake',
    capabilities: caps,
    plan: (input) => ({
      warnings: reportUnmapped(
        input.assignedUser !== undefined
          ? [{ field: 'assignedUser', reason: 'unsupported', message: 'fake cannot assign' }]
          : [],
        'warn',
        { provider: 'fake', operation: 'create' },
      ),
      projection: (({ assignedUser: _dropped, ...held }) => held)(input),
    }),
    // Retried as the transport retries a create request: with the call's recovery.
    create: (input, _plan, call) =>
      withRetry(
        async () => {
          calls.push('create');
          const step = createSteps.shift() ?? 'ok';
          if (step instanceof ContactSyncError) throw step;
          if ([...held.values()].some((contact) => contact.phone === input.phone)) {
            throw new ContactSyncError({ code: 'conflict', provider: 'fake', operation: 'create' });
          }
          const contact = toContact(String(next++), input);
          held.set(contact.id, contact);
          if (step === 'store-then-fail') throw new ContactSyncError({ code: 'network' });
          return contact;
        },
        { policy: retryPolicy, signal: call.signal, recovery: call.recovery },
      ),
    async update(id, _patch, { projection: patch }) {
      calls.push('update');
      const current = held.get(id);
      if (!current) throw new ContactSyncError({ code: 'not_found' });
      const contact = { ...current, ...patch };
      held.set(id, contact);
      return contact;
    },
    async get(id) {
      calls.push('get');
      return held.get(id);
    },
    async findByPhone(phone) {
      calls.push('findByPhone');
      return [...held.values()].find((contact) => contact.phone === phone);
    },
    async delete(id) {
      if (!held.delete(id)) throw new ContactSyncError({ code: 'not_found' });
    },
    async *list() {
      yield* held.values();
    },
    preview: (operation, plan, id) => ({
      method: operation,
      url: `fake://${id ?? ''}`,
      headers: {},
      body: plan?.projection,
    }),
  };
  const store = defineContactStore(driver, { defaultCountry: 'FR' });
  return { store, held, createSteps, calls };
}

describe('defineContactStore', () => {
  it('normalizes the phone once and attaches the check warnings to the result', async () => {
    const { store } = fakeDriver();
    const contact = await store.create({ phone: '06 12 34 56 78', assignedUser: 'a@example.com' });
    expect(contact.phone).toBe('+33612345678');
    expect(contact.warnings).toEqual([
      { field: 'assignedUser', reason: 'unsupported', message: 'fake cannot assign' },
    ]);
  });

  it('retries a create that failed before reaching the vendor', async () => {
    const { store, createSteps, held } = fakeDriver();
    createSteps.push(new ContactSyncError({ code: 'rate_limited' }));
    await store.create({ phone: '+33612345678' });
    expect(held.size).toBe(1);
  });

  it('looks the phone up before retrying a create that may have been stored', async () => {
    const { store, createSteps, held, calls } = fakeDriver();
    createSteps.push('store-then-fail');
    const contact = await store.create({ phone: '+33612345678', firstName: 'A' });
    expect(held.size).toBe(1);
    expect(contact.id).toBe('1');
    expect(calls).toEqual(['create', 'findByPhone']);
  });

  it('adopts the contact a lost create stored when the vendor has no lookup', async () => {
    const { store, createSteps, held, calls } = fakeDriver(
      capabilities({ findByPhone: 'emulated' }),
    );
    createSteps.push('store-then-fail');
    const contact = await store.create({ phone: '+33612345678', firstName: 'A' });
    expect(held.size).toBe(1);
    expect(contact.firstName).toBe('A');
    expect(calls).toEqual(['create', 'create', 'findByPhone']);
  });

  it('counts an upsert created only when this call is known to have made the contact', async () => {
    // A vendor with a lookup: the phone was free at the call's own lookup, so the contact a lost
    // create stored is this call's.
    const native = fakeDriver();
    native.createSteps.push('store-then-fail');
    expect((await native.store.upsert({ phone: '+33612345678', firstName: 'A' })).action).toBe(
      'created',
    );

    // No lookup: after a lost answer, the contact the retry's conflict finds may predate the run.
    const emulated = fakeDriver(capabilities({ findByPhone: 'emulated' }));
    emulated.createSteps.push('store-then-fail');
    const adopted = await emulated.store.upsert({ phone: '+33612345678', firstName: 'A' });
    expect(adopted.action).toBe('unchanged');
    expect(emulated.held.size).toBe(1);
  });

  it('never reports a contact that existed before the run as created after a lost answer', async () => {
    const { store, createSteps, calls } = fakeDriver(capabilities({ findByPhone: 'emulated' }));
    await store.create({ phone: '+33612345678', firstName: 'A' });
    // The first attempt's answer is lost (the vendor may have acted); the retry meets the conflict.
    createSteps.push(new ContactSyncError({ code: 'network' }));
    calls.length = 0;
    const same = await store.upsert({ phone: '+33612345678', firstName: 'A' });
    expect(same.action).toBe('unchanged');
    createSteps.push(new ContactSyncError({ code: 'timeout' }));
    const changed = await store.upsert({ phone: '+33612345678', firstName: 'B' });
    expect(changed.action).toBe('updated');
    expect(changed.contact.firstName).toBe('B');
  });

  it('rejects an answer about another id than the one asked', async () => {
    const { store, held } = fakeDriver();
    const a = await store.create({ phone: '+33612345601' });
    const b = await store.create({ phone: '+33612345602' });
    // The vendor now answers every read of A with B.
    held.set(a.id, b);
    await expect(store.get(a.id)).rejects.toMatchObject({ code: 'invalid_response' });
    await expect(store.update(a.id, { firstName: 'Z' })).rejects.toMatchObject({
      code: 'invalid_response',
    });
    await expect(
      store.reconcile?.(a.id, { phone: '+33612345601', firstName: 'Z' }),
    ).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('reports a plain conflict on a first create', async () => {
    const { store } = fakeDriver();
    await store.create({ phone: '+33612345678' });
    await expect(store.create({ phone: '+33612345678' })).rejects.toMatchObject({
      code: 'conflict',
      provider: 'fake',
      operation: 'create',
    });
  });

  it('upserts through the lookup when the vendor has one', async () => {
    const { store, calls } = fakeDriver();
    expect((await store.upsert({ phone: '+33612345678', firstName: 'A' })).action).toBe('created');
    expect(
      (await store.upsert({ phone: '+33612345678', firstName: 'A', assignedUser: 'x@y.fr' }))
        .action,
    ).toBe('unchanged');
    expect((await store.upsert({ phone: '+33612345678', firstName: 'B' })).action).toBe('updated');
    expect(calls.filter((call) => call === 'create')).toHaveLength(1);
  });

  it('upserts through create-then-conflict when the lookup is emulated', async () => {
    const { store, calls } = fakeDriver(capabilities({ findByPhone: 'emulated' }));
    await store.upsert({ phone: '+33612345678', firstName: 'A' });
    calls.length = 0;
    const result = await store.upsert({ phone: '+33612345678', firstName: 'B' });
    expect(result.action).toBe('updated');
    expect(calls).toEqual(['create', 'findByPhone', 'update']);
  });

  it('rejects a phone change where the vendor cannot make one, after reading the contact', async () => {
    const { store } = fakeDriver(capabilities({ changePhone: 'unsupported' }));
    const contact = await store.create({ phone: '+33612345678' });
    await expect(store.update(contact.id, { phone: '+33698765432' })).rejects.toMatchObject({
      code: 'unsupported',
      operation: 'update',
    });
    const same = await store.update(contact.id, { phone: '+33612345678', firstName: 'Z' });
    expect(same.firstName).toBe('Z');
  });

  it('reconciles a linked id: unchanged without a write, updated when it differs, not_found when gone', async () => {
    const { store, calls } = fakeDriver();
    const contact = await store.create({ phone: '+33612345678', firstName: 'A' });
    calls.length = 0;
    const same = await store.reconcile?.(contact.id, { phone: '+33612345678', firstName: 'A' });
    expect(same?.action).toBe('unchanged');
    expect(calls).toEqual(['get']);
    const changed = await store.reconcile?.(contact.id, { phone: '+33612345678', firstName: 'B' });
    expect(changed?.action).toBe('updated');
    expect(changed?.contact.firstName).toBe('B');
    await store.delete(contact.id);
    await expect(store.reconcile?.(contact.id, { phone: '+33612345678' })).rejects.toMatchObject({
      code: 'not_found',
      operation: 'reconcile',
    });
  });

  it('rejects unsupported operations before calling the driver', async () => {
    const { store, calls } = fakeDriver(capabilities({ delete: 'unsupported' }));
    await expect(store.delete('1')).rejects.toMatchObject({
      code: 'unsupported',
      operation: 'delete',
    });
    expect(calls).toEqual([]);
  });

  it('turns a crash inside a driver into invalid_response, never a TypeError', async () => {
    const storeWithBug = defineContactStore(
      {
        provider: 'fake',
        capabilities: capabilities(),
        plan: (input) => ({ warnings: [], projection: input }),
        create: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'id')");
        },
        update: async () => {
          throw new Error('unreachable');
        },
        get: async () => undefined,
        findByPhone: async () => undefined,
        delete: async () => undefined,
        list: async function* () {},
        preview: () => ({ method: 'GET', url: '', headers: {} }),
      },
      {},
    );
    await expect(storeWithBug.create({ phone: '+33612345678' })).rejects.toMatchObject({
      code: 'invalid_response',
      provider: 'fake',
    });
  });

  it('validates preview input like the operation itself', () => {
    const { store } = fakeDriver();
    expect(() => store.preview('create', { phone: 'nope' })).toThrow(
      expect.objectContaining({ code: 'invalid_input', operation: 'preview' }),
    );
    expect(() => store.preview('update', { firstName: 'A' })).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        issues: [expect.objectContaining({ path: 'id' })],
      }),
    );
    expect(store.preview('delete', {}, '7').url).toBe('fake://7');
  });

  it('honours list limits and rejects a bad one', async () => {
    const { store } = fakeDriver();
    for (const phone of ['+33612345601', '+33612345602', '+33612345603'])
      await store.create({ phone });
    const ids: string[] = [];
    for await (const contact of store.list({ limit: 2 })) ids.push(contact.id);
    expect(ids).toEqual(['1', '2']);
    const iterate = async () => {
      for await (const _ of store.list({ limit: -1 })) {
        // unreachable
      }
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('isUnchanged', () => {
  it('treats empty and absent alike, tags as sets, and only compares projected keys', () => {
    expect(isUnchanged({ firstName: '' }, {})).toBe(true);
    expect(isUnchanged({ tags: ['a', 'b'] }, { tags: ['b', 'a'] })).toBe(true);
    expect(isUnchanged({ tags: ['a'] }, { tags: ['a', 'b'] })).toBe(false);
    expect(isUnchanged({ customFields: { x: '1' } }, { customFields: { x: '1', y: '2' } })).toBe(
      true,
    );
    expect(isUnchanged({ customFields: { x: '1' } }, { customFields: { x: '2' } })).toBe(false);
    expect(isUnchanged({ assignedUser: null }, {})).toBe(true);
  });
});
