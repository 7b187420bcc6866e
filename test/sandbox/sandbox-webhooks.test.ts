import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callbellWebhook } from '../../providers/callbell/index.js';
import { createContactStore } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import type { ContactEvent } from '../../src/contact-event.js';
import { createContactSync } from '../../src/sync/index.js';
import type { LinkStore } from '../../src/sync/link-store.js';

let sandbox: Sandbox | undefined;
let endpoint: Server | undefined;

afterEach(async () => {
  await sandbox?.close();
  if (endpoint) await new Promise((resolve) => endpoint?.close(resolve));
  sandbox = undefined;
  endpoint = undefined;
});

/** A user's endpoint on 127.0.0.1 whose secret is known only once the sandbox has printed it. */
async function startEndpoint(onEvent: (event: ContactEvent) => void, links: LinkStore) {
  let handler: ReturnType<typeof callbellWebhook> | undefined;
  endpoint = createServer(async (request, response) => {
    if (!handler) {
      response.statusCode = 503;
      return void response.end();
    }
    await handler.node(request, response);
  });
  await new Promise<void>((resolve) => endpoint?.listen(0, '127.0.0.1', resolve));
  const { port } = endpoint.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/callbell`,
    use(secret: string) {
      handler = callbellWebhook({ secret, onEvent, links: links as never });
    },
  };
}

function linksWithFindKey(): LinkStore {
  const links = new Map<string, Record<string, string>>();
  return {
    get: async (key) => links.get(key),
    set: async (key, provider, id) => void links.set(key, { ...links.get(key), [provider]: id }),
    delete: async (key) => void links.delete(key),
    findKey: async (provider: string, id: string) =>
      [...links.entries()].find(([, ids]) => ids[provider] === id)?.[0],
  } as LinkStore;
}

describe('the sandbox delivers signed Callbell contact events', () => {
  it('reaches onEvent with the right key for a create, an update and a delete', async () => {
    const events: ContactEvent[] = [];
    const links = linksWithFindKey();
    const hook = await startEndpoint((event) => void events.push(event), links);
    sandbox = await startSandbox({ webhook: { url: hook.url } });
    expect(sandbox.webhook?.secret).toMatch(/^whsec_/);
    hook.use(sandbox.webhook?.secret as string);
    const callbell = createContactStore({
      ...sandbox.storeConfigs()[1],
      defaultCountry: 'FR',
    } as never);
    const sync = createContactSync({ stores: [callbell], links, defaultCountry: 'FR' });

    await sync.push({ key: 'crm-9', contact: { phone: '0612345678', firstName: 'Léa' } });
    await sync.push({
      key: 'crm-9',
      contact: { phone: '0612345678', firstName: 'Léa', lastName: 'Roux' },
    });
    await sync.remove('crm-9');
    await sandbox.webhook?.settled();

    expect(events.map((event) => event.type)).toEqual(['created', 'updated', 'deleted']);
    // The key is known once the push has linked it: from the update on, every event carries it.
    expect(events[1]?.key).toBe('crm-9');
    expect(events[1]?.contact?.phone).toBe('+33612345678');
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
    expect(sandbox.webhook?.deliveries.every((delivery) => delivery.delivered)).toBe(true);
  });

  it('delivers a tampered body first when asked: the endpoint answers 401, the retry goes through', async () => {
    const events: ContactEvent[] = [];
    const hook = await startEndpoint((event) => void events.push(event), linksWithFindKey());
    sandbox = await startSandbox({ webhook: { url: hook.url, tamperRate: 1 } });
    hook.use(sandbox.webhook?.secret as string);
    const callbell = createContactStore({
      ...sandbox.storeConfigs()[1],
      defaultCountry: 'FR',
    } as never);
    await callbell.create({ phone: '0612345670', name: 'Tom' });
    await sandbox.webhook?.settled();

    const [delivery] = sandbox.webhook?.deliveries ?? [];
    expect(delivery?.attempts.map((attempt) => [attempt.tampered, attempt.status])).toEqual([
      [true, 401],
      [false, 200],
    ]);
    expect(events).toHaveLength(1);
  });

  it('retries an endpoint that fails, signing each attempt again', async () => {
    let failures = 2;
    const events: ContactEvent[] = [];
    const hook = await startEndpoint((event) => {
      if (failures-- > 0) throw new Error('busy');
      events.push(event);
    }, linksWithFindKey());
    sandbox = await startSandbox({ webhook: { url: hook.url } });
    hook.use(sandbox.webhook?.secret as string);
    const callbell = createContactStore({
      ...sandbox.storeConfigs()[1],
      defaultCountry: 'FR',
    } as never);
    await callbell.create({ phone: '0612345671', name: 'Zoé' });
    await sandbox.webhook?.settled();

    const statuses = sandbox.webhook?.deliveries[0]?.attempts.map((attempt) => attempt.status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(events).toHaveLength(1);
  });
});
