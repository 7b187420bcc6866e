import { request as httpRequest, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createAcmeEmulator } from '../../examples/acme-provider/src/emulator.js';
import { acmeProvider } from '../../examples/acme-provider/src/index.js';
import { createContactStore, createContactSync, memoryLinkStore } from '../../index.js';
import type { AnyStoreConfig } from '../../providers/registry.js';
import {
  SANDBOX_CREDENTIALS,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../sandbox/index.js';
import { waitFor } from '../support/wait-for.js';
import { signatureCheckingReceiver } from '../support/webhook-receiver.js';

let sandbox: Sandbox | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  receiver = undefined;
});

const PHONE = '+33612345678';

async function withUi(options: Omit<SandboxOptions, 'emulators'> = {}): Promise<Sandbox> {
  const running = await startSandbox({ ui: true, ...options });
  sandbox = running;
  return running;
}

function syncFor(running: Sandbox) {
  return createContactSync({
    stores: running.storeConfigs().map((config) => createContactStore(config)),
    links: memoryLinkStore(),
    defaultCountry: 'FR',
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the answers are read by shape in the assertions.
type Answer = { status: number; body: any };

async function get(running: Sandbox, path: string): Promise<Answer> {
  const response = await fetch(`${running.url}/_sandbox/api/${path}`);
  return { status: response.status, body: await response.json() };
}

async function post(
  running: Sandbox,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${running.url}/_sandbox/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** A raw request, to send a Host header fetch would not let us set. */
function rawGet(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the sandbox page (startSandbox({ ui: true }))', () => {
  it('is off by default: no page, no uiUrl', async () => {
    sandbox = await startSandbox();
    expect(sandbox.uiUrl).toBeUndefined();
    expect((await fetch(`${sandbox.url}/_sandbox/`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/_sandbox/api/vendors`)).status).toBe(404);
  });

  it('serves the page and its files from the sandbox itself, with a policy allowing nothing else', async () => {
    const running = await withUi();
    expect(running.uiUrl).toBe(`${running.url}/_sandbox/`);
    const page = await fetch(running.uiUrl as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="app.js"></script>');
    // Nothing fetched from elsewhere.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const file of ['app.js', 'app.css']) {
      const response = await fetch(`${running.uiUrl}${file}`);
      expect(response.status).toBe(200);
      expect(await response.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });

  it('lists every vendor the sandbox runs, with its contacts, lists and stop list', async () => {
    const running = await withUi();
    const { body } = await get(running, 'vendors');
    expect(body.vendors.map((vendor: { name: string }) => vendor.name)).toEqual(
      Object.keys(running.emulators),
    );
    const report = await syncFor(running).push({
      key: 'crm-42',
      contact: { phone: '06 12 34 56 78', firstName: 'Zoé', lastName: 'Martin', tags: ['vip'] },
    });
    expect(report.results.map((result) => result.status)).toEqual([
      'created',
      'created',
      'created',
    ]);
    running.emulators.smspartner.stopList.stop(PHONE);

    const after = (await get(running, 'vendors')).body.vendors;
    expect(after.map((vendor: { contacts: number }) => vendor.contacts)).toEqual([1, 1, 1]);

    const sms = (await get(running, 'vendors/smspartner/contacts')).body;
    expect(sms.total).toBe(1);
    const [contact] = sms.contacts;
    expect(contact.phone).toBe('+336••••••78');
    expect(contact.name).toBe('Zoé Martin');
    expect(contact.lists).toEqual([SANDBOX_CREDENTIALS.smspartner.groupId]);
    expect(contact.stopList).toHaveLength(1);
    expect(contact.stopList[0].phoneNumber).toBe('+336••••••78');
    expect(contact.record).toMatchObject({ firstname: 'Zoé', phone: '+336••••••78' });
    expect(JSON.stringify(sms)).not.toContain('612345678');

    const shown = (await get(running, 'vendors/smspartner/contacts?phones=1')).body;
    expect(shown.contacts[0].phone).toBe(PHONE);
    expect(shown.contacts[0].record.phone).toBe(PHONE);
  });

  it('lists an outside emulator too, with its credentials redacted', async () => {
    const acme = createAcmeEmulator({ apiKey: 'sandbox-acme-key' });
    const running = await startSandbox({ ui: true, emulators: [acme], providers: [acmeProvider] });
    sandbox = running as unknown as Sandbox;
    const vendors = (await get(sandbox, 'vendors')).body.vendors;
    expect(vendors.map((vendor: { name: string }) => vendor.name)).toEqual([
      'smspartner',
      'callbell',
      'notificore',
      'acme',
    ]);
    const config = running.storeConfigs().find((candidate) => candidate.provider === 'acme');
    const store = createContactStore(
      { ...(config as AnyStoreConfig), retry: false },
      { providers: [acmeProvider] },
    );
    await store.create({ phone: PHONE, firstName: 'Ana' });
    const held = (await get(sandbox, 'vendors/acme/contacts?q=ana')).body;
    expect(held.contacts).toHaveLength(1);
    expect(held.contacts[0].phone).toBe('+336••••••78');
    const log = (await get(sandbox, 'requests?vendor=acme')).body.requests;
    expect(log.length).toBeGreaterThan(0);
    for (const { id } of log) {
      expect(JSON.stringify((await get(sandbox, `requests/${id}`)).body)).not.toContain(
        'sandbox-acme-key',
      );
    }
  });

  it('searches by name (accents ignored), by phone (national or E.164), by id', async () => {
    const running = await withUi();
    const sync = syncFor(running);
    await sync.push({ key: 'crm-1', contact: { phone: '06 12 34 56 78', firstName: 'Zoé' } });
    await sync.push({ key: 'crm-2', contact: { phone: '07 98 76 54 32', firstName: 'Ana' } });
    const search = async (q: string) =>
      (await get(running, `vendors/callbell/contacts?q=${encodeURIComponent(q)}`)).body;
    expect((await search('zoe')).contacts.map((c: { name: string }) => c.name)).toEqual(['Zoé']);
    expect((await search('0798')).contacts.map((c: { name: string }) => c.name)).toEqual(['Ana']);
    expect((await search('+33798')).matched).toBe(1);
    const all = await search('');
    expect(all.matched).toBe(2);
    const id = all.contacts[1].id;
    expect((await search(id)).contacts.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await search('nobody')).matched).toBe(0);
    expect((await get(running, 'vendors/nosuch/contacts')).status).toBe(404);
  });

  it('logs each request newest first, and opens one with every secret redacted and phones masked', async () => {
    const running = await withUi();
    await syncFor(running).push({ key: 'crm-7', contact: { phone: PHONE, firstName: 'Jo' } });
    const { body } = await get(running, 'requests');
    const ids = body.requests.map((request: { id: number }) => request.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(body.requests[0]).toMatchObject({ status: expect.any(Number), fault: null });
    expect(new Set(body.requests.map((r: { vendor: string }) => r.vendor))).toEqual(
      new Set(['smspartner', 'callbell', 'notificore']),
    );
    const secrets = [
      SANDBOX_CREDENTIALS.smspartner.apiKey,
      SANDBOX_CREDENTIALS.callbell.apiToken,
      SANDBOX_CREDENTIALS.notificore.apiKey,
      ...running.emulators.notificore.issuedTokens(),
    ];
    let sawRedacted = 0;
    for (const { id } of body.requests) {
      const detail = (await get(running, `requests/${id}`)).body;
      const text = JSON.stringify(detail);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toContain('612345678');
      expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
      if (text.includes('[redacted]')) sawRedacted += 1;
      expect(detail.request).toHaveProperty('headers');
      expect(detail.answer.status).toBe(detail.status);
    }
    expect(sawRedacted).toBe(body.requests.length);
    // Asked to, the page shows the phones (never the secrets).
    const creates = body.requests.filter((r: { method: string }) => r.method === 'POST');
    const shown = await Promise.all(
      creates.map(async ({ id }: { id: number }) =>
        JSON.stringify((await get(running, `requests/${id}?phones=1`)).body),
      ),
    );
    expect(shown.some((text) => text.includes('612345678'))).toBe(true);
    for (const text of shown) for (const secret of secrets) expect(text).not.toContain(secret);
    expect((await get(running, 'requests/999999')).status).toBe(404);
  });

  it('switches Callbell down: every request 503, logged as "down", until switched back', async () => {
    const running = await withUi();
    const switched = await post(running, 'vendors/callbell/switches', { down: true });
    expect(switched.status).toBe(200);
    expect(switched.body.switches).toEqual({ down: true });
    const report = await syncFor(running).push({ key: 'crm-9', contact: { phone: PHONE } });
    const byVendor = Object.fromEntries(report.results.map((r) => [r.provider, r.status]));
    expect(byVendor).toEqual({ smspartner: 'created', callbell: 'failed', notificore: 'created' });
    const log = (await get(running, 'requests?vendor=callbell')).body.requests;
    expect(log.length).toBeGreaterThan(0);
    for (const request of log) expect(request).toMatchObject({ status: 503, fault: 'down' });

    await post(running, 'vendors/callbell/switches', { down: false });
    const again = await syncFor(running).push({ key: 'crm-9', contact: { phone: PHONE } });
    expect(again.results.find((r) => r.provider === 'callbell')?.status).toBe('created');
  });

  it('sets a vendor fault rate and latency, refuses bad values by name, and resets a vendor', async () => {
    const running = await withUi();
    expect((await post(running, 'vendors/smspartner/switches', { faultRate: 2 })).body.error).toBe(
      'faultRate must be a number from 0 to 1',
    );
    expect(
      (await post(running, 'vendors/smspartner/switches', { latencyMs: -1 })).body.error,
    ).toMatch(/^latencyMs/);
    expect((await post(running, 'vendors/smspartner/switches', { dwon: true })).status).toBe(400);
    expect((await post(running, 'vendors/nosuch/switches', { down: true })).status).toBe(404);
    const set = await post(running, 'vendors/notificore/switches', { faultRate: 1, latencyMs: 5 });
    expect(set.body.switches).toEqual({ faultRate: 1, latencyMs: 5 });
    expect(running.vendorSwitches('notificore')).toEqual({ faultRate: 1, latencyMs: 5 });
    const response = await fetch(`${running.baseUrl('notificore')}/api/contacts`);
    await response.body?.cancel();
    await waitFor(
      () => running.requests.some((r) => r.provider === 'notificore' && r.fault !== undefined),
      'a faulted Notificore request',
    );
    const resetNotificore = await post(running, 'vendors/notificore/reset', {});
    expect(resetNotificore.body.switches).toEqual({});
    expect(running.vendorSwitches('notificore')).toEqual({});
    await syncFor(running).push({ key: 'crm-3', contact: { phone: PHONE } });
    expect(running.emulators.smspartner.contacts()).toHaveLength(1);
    const reset = await post(running, 'vendors/smspartner/reset', {});
    expect(reset.body).toMatchObject({ name: 'smspartner', contacts: 0, switches: {} });
    expect(running.emulators.smspartner.contacts()).toHaveLength(0);
    expect(running.emulators.notificore.contacts()).toHaveLength(1);
  });

  it('refuses state changes from another origin, and any request naming another host', async () => {
    const running = await withUi();
    const evil = await post(
      running,
      'vendors/callbell/switches',
      { down: true },
      { origin: 'http://attacker.example' },
    );
    expect(evil.status).toBe(403);
    const crossSite = await post(
      running,
      'vendors/callbell/switches',
      { down: true },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    const form = await fetch(`${running.url}/_sandbox/api/vendors/callbell/switches`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'down=true',
    });
    expect(form.status).toBe(403);
    const reset = await post(running, 'reset', {}, { origin: 'http://attacker.example' });
    expect(reset.status).toBe(403);
    expect(running.vendorSwitches('callbell')).toEqual({});
    // DNS rebinding: a name that resolves to 127.0.0.1 still names another host.
    expect(await rawGet(`${running.url}/_sandbox/api/vendors`, 'attacker.example')).toBe(403);
    expect(await rawGet(`${running.url}/_sandbox/api/vendors`, `127.0.0.1:${running.port}`)).toBe(
      200,
    );
    // The page's own origin may.
    const own = await post(
      running,
      'vendors/callbell/switches',
      { down: true },
      { origin: running.url, 'sec-fetch-site': 'same-origin' },
    );
    expect(own.status).toBe(200);
  });

  it('counts requests per vendor and route, and per second', async () => {
    const running = await withUi();
    await syncFor(running).push({ key: 'crm-5', contact: { phone: PHONE } });
    const { body } = await get(running, 'stats');
    expect(body.total).toBe(running.requests.length);
    expect(Object.keys(body.perVendor)).toEqual(Object.keys(running.emulators));
    for (const [vendor, count] of Object.entries(body.perVendor)) {
      expect(count).toBe(running.requests.filter((r) => r.provider === vendor).length);
    }
    const seconds = Object.values(body.perSecond.vendors as Record<string, number[]>).flat();
    expect(seconds.reduce((sum, count) => sum + count, 0)).toBe(body.total);
    expect(body.routes).toContainEqual(
      expect.objectContaining({ vendor: 'smspartner', method: 'POST', route: '/contact/add' }),
    );
    // Ids in paths are counted as one route.
    expect(body.routes.every((route: { route: string }) => !/\d/.test(route.route))).toBe(true);

    await post(running, 'reset', {});
    expect((await get(running, 'stats')).body.total).toBe(0);
    expect((await get(running, 'requests')).body.requests).toEqual([]);
  });

  it('streams each answered request as a server-sent event', async () => {
    const running = await withUi();
    const controller = new AbortController();
    const stream = await fetch(`${running.url}/_sandbox/api/events`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString();
      }
    })().catch(() => undefined);
    await syncFor(running).push({ key: 'crm-6', contact: { phone: PHONE } });
    await waitFor(() => text.includes('"vendor":"notificore"'), 'a Notificore request event');
    expect(text).toMatch(/event: request\ndata: \{"id":\d+,"vendor":"/);
    expect(text).not.toContain('612345678');
    controller.abort();
    await reading;
  });

  it("shows Callbell's webhook deliveries with each attempt's signature check", async () => {
    // The receiver checks each delivery as an application would, refusing a bad signature.
    const hook = await signatureCheckingReceiver('whsec_abcdefgh');
    receiver = hook.server;
    const running = await withUi({
      webhook: { url: hook.url, tamperRate: 1, secret: 'whsec_abcdefgh' },
    });
    const off = (await get(running, 'webhooks')).body;
    expect(off).toMatchObject({ enabled: true, deliveries: [] });
    await syncFor(running).push({ key: 'crm-8', contact: { phone: PHONE } });
    await running.webhook?.settled();
    const { body } = await get(running, 'webhooks');
    expect(body.target).toBe(hook.url);
    expect(body.deliveries).toHaveLength(1);
    expect(body.deliveries[0]).toMatchObject({
      number: 1,
      event: 'contact_created',
      delivered: true,
      attempts: [
        { status: 401, tampered: true, signature: 'mismatch' },
        { status: 204, tampered: false, signature: 'ok' },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('whsec_abcdefgh');
  });

  it('says so when no webhook is configured', async () => {
    const running = await withUi();
    expect((await get(running, 'webhooks')).body).toEqual({
      enabled: false,
      target: null,
      deliveries: [],
    });
  });
});
