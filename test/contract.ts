import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderEmulator } from '../sandbox/emulator.js';
import { type RunningServer, serveEmulators } from '../sandbox/server.js';
import type { ContactStore } from '../src/contact-store.js';
import { isContactSyncError } from '../src/errors.js';
import type { CommonOptions, RequestEvent } from '../src/options.js';
import { type Fault, type MountedEmulator, mountEmulator } from './support/nock-emulator.js';

/** What one adapter gives the conformance suite. */
export interface ContractHarness {
  provider: string;
  /** The vendor's origin, e.g. `https://api.callbell.eu` (the emulator adds its base path). */
  origin: string;
  emulator: ProviderEmulator;
  /** A store pointed at the emulator with valid credentials; `options` override the defaults. */
  createStore(options?: Partial<CommonOptions>): ContactStore;
  /** A store whose credential the emulator refuses; `options` override the defaults. */
  createUnauthorizedStore(options?: Partial<CommonOptions>): ContactStore;
  /** The secrets given to `createStore` (and any token the emulator issues). */
  secrets: string[];
  /** Contacts per page of the vendor's list, to make `list` cross pages. */
  pageSize: number;
  /** The vendor's own response to an input it refuses (HTTP 400/422 or its envelope). */
  validationFault: Fault;
  /** A call that must reject `unsupported`, where the vendor lacks something. */
  unsupportedCall?(store: ContactStore, existingId: string): Promise<unknown>;
  /** Paths of write requests (to count creates), e.g. `/contact/add`. */
  createPath: RegExp;
}

const phones = (count: number, start = 0) =>
  Array.from(
    { length: count },
    (_, index) => `+336${String(12_000_000 + start + index).padStart(8, '0')}`,
  );

export interface ContractOptions {
  /**
   * `'nock'` (default): the emulator behind nock, no socket opened. `'sandbox'`: the emulator
   * served over real HTTP on 127.0.0.1 by the sandbox server, faults injected there.
   */
  over?: 'nock' | 'sandbox';
}

/** The suite every adapter passes: the ContactStore contract, without network. */
export function describeContactStore(
  harness: ContractHarness,
  options: ContractOptions = {},
): void {
  const over = options.over ?? 'nock';
  describe(`${harness.provider}: ContactStore contract (${over})`, () => {
    let mount: MountedEmulator;
    let server: RunningServer | undefined;
    const fast: Partial<CommonOptions> = {
      retry: { retries: 3, minTimeout: 0, maxTimeout: 0 },
      rateLimit: false,
    };
    const local = (): Partial<CommonOptions> =>
      server ? { baseUrl: server.baseUrl(harness.provider) } : {};
    const store = (overrides: Partial<CommonOptions> = {}) =>
      harness.createStore({ ...fast, ...local(), ...overrides });
    const unauthorizedStore = () => harness.createUnauthorizedStore(local());

    beforeAll(async () => {
      if (over === 'sandbox') {
        server = await serveEmulators({ emulators: { [harness.provider]: harness.emulator } });
      } else {
        nock.disableNetConnect();
      }
    });
    beforeEach(() => {
      if (!server) {
        harness.emulator.reset();
        mount = mountEmulator(harness.emulator, harness.origin);
        return;
      }
      const running = server;
      running.reset();
      mount = {
        requests: running.requests,
        fail: (fault) => running.inject(fault),
        clear: () => running.reset(),
      };
    });
    afterEach(() => {
      if (!server) nock.cleanAll();
    });
    afterAll(async () => {
      if (server) await server.close();
      else nock.enableNetConnect();
    });

    const creates = () =>
      mount.requests.filter(
        (request) => request.method !== 'GET' && harness.createPath.test(request.path),
      ).length;
    const held = (phone: string) =>
      harness.emulator.contacts().filter((contact) => contact.phone === phone).length;

    it('creates, reads, updates, finds, deletes a contact', async () => {
      const contacts = store();
      const [phone] = phones(1);
      const created = await contacts.create({
        phone: phone as string,
        firstName: 'Jeanne',
        lastName: 'Martin',
      });
      expect(created.provider).toBe(harness.provider);
      expect(created.phone).toBe(phone);
      expect(typeof created.id).toBe('string');
      expect(held(phone as string)).toBe(1);

      const read = await contacts.get(created.id);
      expect(read?.id).toBe(created.id);
      expect(read?.phone).toBe(phone);

      const updated = await contacts.update(created.id, { firstName: 'Jeanne-Marie' });
      expect(updated.id).toBe(created.id);
      expect(updated.phone).toBe(phone);

      const found = await contacts.findByPhone(phone as string);
      expect(found?.id).toBe(created.id);
      expect(await contacts.findByPhone('+33699999999')).toBeUndefined();

      await contacts.delete(created.id);
      expect(await contacts.get(created.id)).toBeUndefined();
      expect(held(phone as string)).toBe(0);
      await expect(contacts.update(created.id, { firstName: 'X' })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(contacts.delete(created.id)).rejects.toMatchObject({ code: 'not_found' });
    });

    it('accepts a national number with defaultCountry and stores E.164', async () => {
      const created = await store({ defaultCountry: 'FR' }).create({ phone: '06 12 34 56 78' });
      expect(created.phone).toBe('+33612345678');
      expect(held('+33612345678')).toBe(1);
    });

    it('lists every contact across pages', async () => {
      const contacts = store();
      const wanted = phones(harness.pageSize * 2 + 3, 100);
      for (const phone of wanted) await contacts.create({ phone });
      const seen: string[] = [];
      for await (const contact of contacts.list()) seen.push(contact.phone);
      expect(seen.sort()).toEqual([...wanted].sort());
      const limited: string[] = [];
      for await (const contact of contacts.list({ limit: 5 })) limited.push(contact.id);
      expect(limited).toHaveLength(5);
    });

    it('upserts: created, then unchanged, then updated', async () => {
      const contacts = store();
      const [phone] = phones(1, 500) as [string];
      const first = await contacts.upsert({ phone, firstName: 'Ana' });
      expect(first.action).toBe('created');
      const second = await contacts.upsert({ phone, firstName: 'Ana' });
      expect(second.action).toBe('unchanged');
      expect(second.contact.id).toBe(first.contact.id);
      const third = await contacts.upsert({ phone, firstName: 'Anabel' });
      expect(third.action).toBe('updated');
      expect(third.contact.id).toBe(first.contact.id);
      expect(held(phone)).toBe(1);
    });

    it('reconciles a known id: unchanged, then updated, then not_found once deleted', async () => {
      const contacts = store();
      const [phone] = phones(1, 550) as [string];
      const created = await contacts.create({ phone, firstName: 'Ana' });
      const writesBefore = mount.requests.filter((request) => request.method !== 'GET').length;
      const same = await contacts.reconcile?.(created.id, { phone, firstName: 'Ana' });
      expect(same?.action).toBe('unchanged');
      expect(mount.requests.filter((request) => request.method !== 'GET').length).toBe(
        writesBefore,
      );
      const changed = await contacts.reconcile?.(created.id, { phone, firstName: 'Anabel' });
      expect(changed?.action).toBe('updated');
      expect(changed?.contact.id).toBe(created.id);
      await contacts.delete(created.id);
      await expect(contacts.reconcile?.(created.id, { phone })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('rejects a second create of the same phone as conflict', async () => {
      const contacts = store();
      const [phone] = phones(1, 600) as [string];
      await contacts.create({ phone });
      const error = await contacts.create({ phone }).catch((caught) => caught);
      expect(isContactSyncError(error)).toBe(true);
      expect(error.code).toBe('conflict');
      expect(held(phone)).toBe(1);
    });

    it('sends no request for invalid input', async () => {
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
      for (const attempt of attempts) {
        const error = await attempt().catch((caught) => caught);
        expect(isContactSyncError(error), String(error)).toBe(true);
        expect(error.code).toBe('invalid_input');
        expect(error.issues?.[0]?.path).toBeTypeOf('string');
      }
      expect(mount.requests).toHaveLength(0);
    });

    it('names the field in an invalid_input error', async () => {
      const error = await store()
        .create({ phone: '+33612345678', birthday: '1990-02-31' })
        .catch((caught) => caught);
      expect(error.issues).toEqual([{ path: 'birthday', message: expect.any(String) }]);
      expect(error.message).toContain('birthday');
    });

    it('classifies a refused credential as unauthorized, without retrying', async () => {
      const error = await unauthorizedStore()
        .create({ phone: '+33612345678' })
        .catch((caught) => caught);
      expect(error.code).toBe('unauthorized');
      expect(error.retryable).toBe(false);
    });

    it('classifies the vendor refusing an input as invalid_input, without retrying', async () => {
      mount.fail({ ...harness.validationFault, times: 5 });
      const error = await store()
        .create({ phone: '+33612345678' })
        .catch((caught) => caught);
      expect(error.code).toBe('invalid_input');
      expect(mount.requests.length).toBeLessThanOrEqual(2);
      expect(creates()).toBe(1);
    });

    it('classifies 429 as rate_limited and 5xx as provider_error once retries run out', async () => {
      mount.fail({ method: 'GET', status: 429, body: { message: 'slow down' }, times: 1 });
      const limited = await store({ retry: false })
        .get('1')
        .catch((caught) => caught);
      expect(limited.code).toBe('rate_limited');
      expect(limited.retryable).toBe(true);
      mount.fail({ method: 'GET', status: 500, body: { message: 'boom' }, times: 4 });
      const failed = await store()
        .get('1')
        .catch((caught) => caught);
      expect(failed.code).toBe('provider_error');
      expect(failed.status).toBe(500);
      expect(failed.retryable).toBe(true);
    });

    it('retries a 503 and succeeds', async () => {
      mount.fail({ path: harness.createPath, status: 503, body: {} });
      const [phone] = phones(1, 700) as [string];
      const created = await store().create({ phone });
      expect(created.phone).toBe(phone);
      expect(held(phone)).toBe(1);
    });

    it('retries a 429 after the Retry-After delay', async () => {
      const events: RequestEvent[] = [];
      mount.fail({ method: 'GET', status: 429, headers: { 'retry-after': '1' }, body: {} });
      const contacts = store({ hooks: { onRetry: (event) => events.push(event) } });
      const started = Date.now();
      expect(await contacts.get('123')).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(events).toEqual([
        expect.objectContaining({
          provider: harness.provider,
          code: 'rate_limited',
          retryAfterMs: 1000,
        }),
      ]);
    });

    it('gives up at once on a Retry-After longer than maxRetryAfter', async () => {
      mount.fail({ method: 'GET', status: 429, headers: { 'retry-after': '120' }, body: {} });
      const error = await store({ retry: { minTimeout: 0, maxRetryAfter: 5000 } })
        .get('123')
        .catch((caught) => caught);
      expect(error.code).toBe('rate_limited');
      expect(error.retryAfterMs).toBe(120_000);
      expect(mount.requests.filter((request) => request.method === 'GET')).toHaveLength(1);
    });

    it('does not create twice when a create response is lost', async () => {
      mount.fail({ path: harness.createPath, method: 'POST', drop: 'after' });
      const [phone] = phones(1, 800) as [string];
      const created = await store().create({ phone, firstName: 'Lost' });
      expect(created.phone).toBe(phone);
      expect(held(phone)).toBe(1);
    });

    it('does not create twice when a create times out after the vendor stored it', async () => {
      mount.fail({ path: harness.createPath, method: 'POST', status: 502, body: {} });
      mount.fail({ path: harness.createPath, method: 'POST', drop: 'after' });
      const [phone] = phones(1, 900) as [string];
      const result = await store().upsert({ phone, firstName: 'Twice' });
      expect(['created', 'updated', 'unchanged']).toContain(result.action);
      expect(held(phone)).toBe(1);
    });

    it('rejects aborted before sending anything', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await store()
        .create({ phone: '+33612345678' }, { signal: controller.signal })
        .catch((caught) => caught);
      expect(error.code).toBe('aborted');
      expect(mount.requests).toHaveLength(0);
    });

    it('rejects unsupported operations with code unsupported', async () => {
      if (!harness.unsupportedCall) return;
      const contacts = store();
      const created = await contacts.create({ phone: '+33612345999' });
      const before = mount.requests.length;
      const error = await harness.unsupportedCall(contacts, created.id).then(
        () => undefined,
        (caught: unknown) => caught as { code?: string },
      );
      expect(error?.code).toBe('unsupported');
      expect(mount.requests.filter((request) => request.method !== 'GET').length).toBe(
        mount.requests.slice(0, before).filter((request) => request.method !== 'GET').length,
      );
    });

    it('keeps keys, tokens and phone numbers out of errors and hook events', async () => {
      const events: unknown[] = [];
      const hooks = {
        onRequest: (event: unknown) => events.push(event),
        onResponse: (event: unknown) => events.push(event),
        onRetry: (event: unknown) => events.push(event),
      };
      const phone = '+33612345678';
      const errors: unknown[] = [];
      const contacts = store({ hooks });
      await contacts.create({ phone });
      errors.push(await contacts.create({ phone }).catch((caught) => caught));
      mount.fail({ status: 500, body: { message: `failed for ${phone} 33612345678` }, times: 10 });
      errors.push(await contacts.findByPhone(phone).catch((caught) => caught));
      errors.push(
        await unauthorizedStore()
          .findByPhone(phone)
          .catch((caught) => caught),
      );
      mount.fail({ drop: 'before', times: 10 });
      errors.push(await contacts.get('1').catch((caught) => caught));
      const texts = [
        ...errors.map(
          (error) => `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`,
        ),
        ...errors.map((error) => String((error as Error).cause ?? '')),
        JSON.stringify(events),
      ];
      const forbidden = [...harness.secrets, phone, phone.slice(1), '612345678'];
      for (const text of texts) for (const secret of forbidden) expect(text).not.toContain(secret);
      expect(events.length).toBeGreaterThan(0);
    });
  });
}
