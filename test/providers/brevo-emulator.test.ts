import { describe, expect, it } from 'vitest';
import { type BrevoOptions, createBrevoContactStore } from '../../providers/brevo/index.js';
import { type BrevoEmulatorOptions, createBrevoEmulator } from '../../sandbox/brevo/emulator.js';
import { isContactSyncError } from '../../src/errors.js';
import { createEmulatorFetch, type EmulatorRequest } from '../../src/testing/index.js';

const KEY = 'xkeysib-emulated-1234';
const PHONE = '+33612345678';

/** A store over a fresh emulator, answered in process (no socket). */
function setUp(emulatorOptions: BrevoEmulatorOptions = {}, options: Partial<BrevoOptions> = {}) {
  const emulator = createBrevoEmulator({ apiKey: KEY, ...emulatorOptions });
  // Every request as the emulator received it, body included.
  const seen: EmulatorRequest[] = [];
  const spied = {
    ...emulator,
    handle: (request: EmulatorRequest) => {
      seen.push(request);
      return emulator.handle(request);
    },
  };
  const { fetch, vendor } = createEmulatorFetch(spied, { origin: 'https://api.brevo.com' });
  const store = createBrevoContactStore({
    apiKey: KEY,
    fetch,
    rateLimit: false,
    retry: { minTimeout: 0, maxTimeout: 0 },
    importPollMs: 0,
    fieldMap: { company: 'COMPANY', birthday: 'BIRTHDAY', seats: 'SEATS' },
    ...options,
  });
  const sent = (method: string, path: RegExp) =>
    seen.filter((request) => request.method === method && path.test(request.path));
  return { emulator, store, vendor, sent };
}

const recordOf = (emulator: ReturnType<typeof createBrevoEmulator>, id: string) =>
  emulator.contacts().find((contact) => contact.id === id)?.record as Record<string, unknown>;

describe('brevo over its emulator: the unconfirmed points, both ways', () => {
  for (const phoneFormat of ['digits', 'plus'] as const) {
    it(`reads SMS numbers stored as ${phoneFormat}`, async () => {
      const { store } = setUp({ phoneFormat });
      const created = await store.create({ phone: PHONE, firstName: 'Ana' });
      expect((await store.findByPhone(PHONE))?.id).toBe(created.id);
      const listed = [];
      for await (const contact of store.list()) listed.push(contact.phone);
      expect(listed).toEqual([PHONE]);
    });
  }

  for (const unknownAttributes of ['error', 'ignore'] as const) {
    it(`refuses an unknown attribute before writing, whether Brevo would ${unknownAttributes} it`, async () => {
      const { store, sent } = setUp({ unknownAttributes });
      const error = await store
        .create({ phone: PHONE, customFields: { shoe: '42' } })
        .catch((e) => e);
      expect(isContactSyncError(error) && error.code).toBe('invalid_input');
      expect(error.issues[0].path).toBe('customFields.shoe');
      expect(sent('POST', /^\/contacts$/)).toHaveLength(0);
    });
  }

  for (const duplicateCode of ['duplicate_parameter', 'invalid_parameter'] as const) {
    it(`a second contact of one SMS number is conflict with the holder's id (code ${duplicateCode})`, async () => {
      const { store } = setUp({ duplicateCode });
      const first = await store.create({ phone: PHONE });
      const error = await store.create({ phone: PHONE }).catch((e) => e);
      expect(isContactSyncError(error) && error.code).toBe('conflict');
      expect(error.existingId).toBe(first.id);
    });
  }

  for (const clearWith of ['null', 'empty', 'both'] as const) {
    it(`clears an attribute where Brevo clears with ${clearWith}`, async () => {
      const { store, emulator } = setUp({ clearWith });
      const created = await store.create({
        phone: PHONE,
        firstName: 'Ana',
        customFields: { company: 'Acme' },
      });
      const updated = await store.update(created.id, {
        firstName: '',
        customFields: { company: '' },
      });
      expect(updated.firstName).toBeUndefined();
      expect(updated.customFields).toBeUndefined();
      expect(
        (recordOf(emulator, created.id).attributes as Record<string, unknown>).FIRSTNAME,
      ).toBeUndefined();
    });
  }

  it('a contact shown with the @mailin-sms.com placeholder is still found and listed', async () => {
    const { store } = setUp({ placeholderEmail: true });
    const created = await store.create({ phone: PHONE });
    expect((await store.get(created.id))?.phone).toBe(PHONE);
  });

  it('identifier attributes in the attribute list are never custom fields', async () => {
    const { store } = setUp({ listIdentifierAttributes: true });
    const created = await store.create({ phone: PHONE, customFields: { company: 'Acme' } });
    expect((await store.get(created.id))?.customFields).toEqual({ company: 'Acme' });
    const error = await store
      .create({ phone: '+33698765432', customFields: { sms: '1' } })
      .catch((e) => e);
    expect(isContactSyncError(error) && error.code).toBe('invalid_input');
  });

  it('WHATSAPP written with whatsapp: true; a number another contact holds as WhatsApp is conflict', async () => {
    const { store, emulator } = setUp({}, { whatsapp: true });
    const created = await store.create({ phone: PHONE });
    expect((recordOf(emulator, created.id).attributes as Record<string, unknown>).WHATSAPP).toBe(
      '33612345678',
    );
    const other = await store.create({ phone: '+33698765432' });
    const error = await store.update(other.id, { phone: PHONE }).catch((e) => e);
    expect(isContactSyncError(error) && error.code).toBe('conflict');
  });
});

describe('brevo over its emulator: the store', () => {
  it('upsert: created, unchanged (typed values read back in their spelling), updated', async () => {
    const { store, sent } = setUp();
    const input = { phone: PHONE, birthday: '1990-05-15', customFields: { seats: '12.50' } };
    expect((await store.upsert(input)).action).toBe('created');
    const writes = sent('PUT', /./).length;
    expect((await store.upsert(input)).action).toBe('unchanged');
    expect(sent('PUT', /./)).toHaveLength(writes);
    const third = await store.upsert({ ...input, customFields: { seats: '13' } });
    expect(third.action).toBe('updated');
    expect(third.contact.customFields).toEqual({ seats: '13' });
  });

  it('listIds: created in them; an upsert adds a contact to a list it is not in, keeping others', async () => {
    const { store, emulator } = setUp({
      lists: [
        { id: 2, name: 'A' },
        { id: 3, name: 'B' },
      ],
    });
    const created = await createBrevoContactStore({
      apiKey: KEY,
      fetch: createEmulatorFetch(emulator, { origin: 'https://api.brevo.com' }).fetch,
      rateLimit: false,
      listIds: [3],
    }).create({ phone: PHONE });
    expect(recordOf(emulator, created.id).listIds).toEqual([3]);
    const inTwo = createBrevoContactStore({
      apiKey: KEY,
      fetch: createEmulatorFetch(emulator, { origin: 'https://api.brevo.com' }).fetch,
      rateLimit: false,
      listIds: [2],
    });
    expect((await inTwo.upsert({ phone: PHONE })).action).toBe('updated');
    expect(recordOf(emulator, created.id).listIds).toEqual([2, 3]);
    expect((await inTwo.upsert({ phone: PHONE })).action).toBe('unchanged');
    expect((await store.get(created.id))?.id).toBe(created.id);
  });

  it('opt-outs: optOut sets smsBlacklisted (creating a blocklisted contact if none), optIn clears it', async () => {
    const { store, emulator } = setUp();
    const { optOut, optIn, optOuts } = store as Required<typeof store>;
    const held = await store.create({ phone: PHONE });
    expect(await optOut(PHONE)).toBe('added');
    expect(await optOut(PHONE)).toBe('present');
    expect(recordOf(emulator, held.id).smsBlacklisted).toBe(true);
    expect(await optOut('+33698765432')).toBe('added');
    const listed = [];
    for await (const entry of optOuts()) listed.push(`${entry.channel} ${entry.phone}`);
    expect(listed.sort()).toEqual([`sms ${PHONE}`, 'sms +33698765432']);
    expect(await optIn(PHONE)).toBe('removed');
    expect(await optIn(PHONE)).toBe('absent');
    expect(await optIn('+33611111111')).toBe('absent');
    expect(recordOf(emulator, held.id).smsBlacklisted).toBe(false);
    expect(store.capabilities.optOut).toBe('native');
  });

  it('whatsappBlacklisted reads as a WhatsApp opt-out', async () => {
    const { store, emulator } = setUp();
    const held = await store.create({ phone: PHONE });
    const answer = emulator.handle({
      method: 'PUT',
      path: `/contacts/${held.id}`,
      query: new URLSearchParams({ identifierType: 'contact_id' }),
      headers: { 'api-key': KEY },
      body: { whatsappBlacklisted: true },
    });
    expect(answer.status).toBe(204);
    const listed = [];
    for await (const entry of (store as Required<typeof store>).optOuts()) {
      listed.push({ channel: entry.channel, phone: entry.phone, id: entry.id });
    }
    expect(listed).toEqual([{ channel: 'whatsapp', phone: PHONE, id: held.id }]);
  });
});

describe('brevo over its emulator: upsertMany through the import', () => {
  const phones = (count: number, from = 0) =>
    Array.from(
      { length: count },
      (_, index) => `+336${String(10_000_000 + from + index).slice(-8)}`,
    );

  it('imports new contacts in one call, polls the process, looks each up; found ones are upserted', async () => {
    const { store, sent } = setUp({ importPolls: 2 }, { listIds: [2] });
    expect(store.capabilities.upsertMany).toBe('native');
    const existing = await store.create({ phone: phones(1)[0] as string, firstName: 'Old' });
    const inputs = phones(25).map((phone, index) => ({ phone, firstName: `N${index}` }));
    const outcomes = await store.upsertMany?.(inputs);
    expect(outcomes?.map((outcome) => outcome.status)).toEqual(inputs.map(() => 'fulfilled'));
    const actions = outcomes?.map(
      (outcome) => outcome.status === 'fulfilled' && outcome.value.action,
    );
    expect(actions?.[0]).toBe('updated');
    expect(actions?.slice(1)).toEqual(inputs.slice(1).map(() => 'created'));
    const first = outcomes?.[0];
    expect(first?.status === 'fulfilled' && first.value.contact.id).toBe(existing.id);
    expect(sent('POST', /^\/contacts\/import$/)).toHaveLength(1);
    expect(sent('GET', /^\/processes\//)).toHaveLength(3);
    const body = sent('POST', /^\/contacts\/import$/)[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      listIds: [2],
      updateExistingContacts: false,
      disableNotification: true,
    });
    expect((body.jsonBody as unknown[]).length).toBe(24);
  });

  it('rows the import leaves out (SMS-only rows refused: unconfirmed) are created one by one', async () => {
    const { store, emulator } = setUp({ importRowsNeedEmail: true }, { listIds: [2] });
    const inputs = phones(12, 100).map((phone) => ({ phone }));
    const outcomes = await store.upsertMany?.(inputs);
    expect(
      outcomes?.every(
        (outcome) => outcome.status === 'fulfilled' && outcome.value.action === 'created',
      ),
    ).toBe(true);
    expect(emulator.contacts()).toHaveLength(12);
  });

  it('a row whose value cannot take its type is its own failure; the rest are imported', async () => {
    const { store, emulator } = setUp({}, { listIds: [2] });
    const inputs = phones(12, 200).map((phone, index) => ({
      phone,
      customFields: { seats: index === 3 ? 'many' : String(index) },
    }));
    const outcomes = await store.upsertMany?.(inputs);
    expect(outcomes?.[3]?.status).toBe('rejected');
    expect(outcomes?.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(11);
    expect(emulator.contacts()).toHaveLength(11);
  });

  it('without listIds there is no bulk path (Brevo imports into a list)', () => {
    const { store } = setUp();
    expect(store.capabilities.upsertMany).toBe('unsupported');
    expect(store.upsertMany).toBeUndefined();
  });
});

describe('brevo emulator: rate-limit headers', () => {
  it('sends x-sib-ratelimit-* on every answer and 429 over the second; the store waits the reset', async () => {
    let now = 0;
    const events: unknown[] = [];
    const limited = createBrevoContactStore({
      apiKey: KEY,
      fetch: createEmulatorFetch(
        createBrevoEmulator({ apiKey: KEY, requestsPerSecond: 1, now: () => now }),
        { origin: 'https://api.brevo.com' },
      ).fetch,
      rateLimit: false,
      retry: { retries: 0 },
      hooks: { onRetry: (event) => events.push(event) },
    });
    await limited.get('1');
    const error = await limited.get('2').catch((e) => e);
    expect(isContactSyncError(error) && error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(1000);
    now = 5000;
    expect(await limited.get('3')).toBeUndefined();
    expect(events).toHaveLength(0);
  });
});
