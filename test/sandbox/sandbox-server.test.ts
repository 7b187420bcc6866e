import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultOptions,
  SANDBOX_CREDENTIALS,
  type Sandbox,
  startSandbox,
} from '../../sandbox/index.js';

const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

async function sandboxWith(faults?: FaultOptions, seed?: number, latencyMs?: number) {
  const sandbox = await startSandbox({ faults, seed, latencyMs });
  running.push(sandbox);
  return sandbox;
}

/** A Callbell create through the sandbox: a valid, authorized write. */
function createCallbellContact(sandbox: Sandbox, phone = '33610000001') {
  return fetch(`${sandbox.baseUrl('callbell')}/contacts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SANDBOX_CREDENTIALS.callbell.apiToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ identifier: phone, source: 'whatsapp', name: 'Ann' }),
  });
}

/** Status of each of `count` sequential requests, or 'drop' for a closed connection. */
async function statuses(sandbox: Sandbox, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let index = 0; index < count; index += 1) {
    try {
      const response = await createCallbellContact(sandbox, `336100000${10 + index}`);
      await response.arrayBuffer();
      seen.push(String(response.status));
    } catch {
      seen.push('drop');
    }
  }
  return seen;
}

describe('sandbox server', () => {
  it('listens on 127.0.0.1 and gives each vendor a base URL below its own prefix', async () => {
    const sandbox = await sandboxWith();
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.baseUrl('callbell')).toBe(`${sandbox.url}/callbell/v1`);
    expect(sandbox.baseUrl('notificore')).toBe(`${sandbox.url}/notificore`);
  });

  it('injects the same faults for the same seed, other faults for another seed', async () => {
    const faults: FaultOptions = { rate: 0.5, retryAfter: 0 };
    const first = await statuses(await sandboxWith(faults, 42), 16);
    const again = await statuses(await sandboxWith(faults, 42), 16);
    const other = await statuses(await sandboxWith(faults, 43), 16);

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.some((status) => status !== '200')).toBe(true);
    expect(first.some((status) => status === '200')).toBe(true);
  });

  it('setFaults changes the faults from now on and restarts the draws with a seed', async () => {
    const sandbox = await sandboxWith({ rate: 0.5, retryAfter: 0 }, 9);
    const first = await statuses(sandbox, 8);
    sandbox.setFaults({ rate: 0.5, retryAfter: 0 }, 9);
    expect(await statuses(sandbox, 8)).toEqual(
      first.map((status) => (status === '200' ? '422' : status)), // same numbers: already held
    );
    sandbox.setFaults({});
    sandbox.reset();
    expect(await statuses(sandbox, 8)).toEqual(Array(8).fill('200'));
    expect(sandbox.requests.filter((request) => request.fault)).toEqual([]);
  });

  it('drop-before closes the connection without storing the write', async () => {
    const sandbox = await sandboxWith({ rate: 1, kinds: ['drop-before'] });

    await expect(createCallbellContact(sandbox)).rejects.toThrow();

    expect(sandbox.emulators.callbell.contacts()).toEqual([]);
    expect(sandbox.requests).toMatchObject([
      { provider: 'callbell', method: 'POST', path: '/contacts', fault: 'drop-before' },
    ]);
  });

  it('drop-after stores the write, then closes the connection before the answer', async () => {
    const sandbox = await sandboxWith({ rate: 1, kinds: ['drop-after'] });

    await expect(createCallbellContact(sandbox)).rejects.toThrow();

    expect(sandbox.emulators.callbell.contacts().map((contact) => contact.phone)).toEqual([
      '+33610000001',
    ]);
    expect(sandbox.requests).toMatchObject([{ fault: 'drop-after', status: 200 }]);
  });

  it('sends Retry-After with a 429 and a 503, and none with a 500', async () => {
    for (const kind of ['429', '503', '500'] as const) {
      const sandbox = await sandboxWith({ rate: 1, kinds: [kind], retryAfter: 7 });
      const response = await createCallbellContact(sandbox);
      expect(response.status).toBe(Number(kind));
      expect(response.headers.get('retry-after')).toBe(kind === '500' ? null : '7');
      expect(await response.json()).toEqual({ error: 'Injected fault' });
      expect(sandbox.emulators.callbell.contacts()).toEqual([]);
    }
  });

  it('adds latencyMs to every answer, and holds a slow fault slowMs after storing it', async () => {
    const late = await sandboxWith(undefined, 1, 120);
    let started = performance.now();
    expect((await createCallbellContact(late)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);

    const slow = await sandboxWith({ rate: 1, kinds: ['slow'], slowMs: 150 });
    started = performance.now();
    const response = await createCallbellContact(slow);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
    expect(slow.requests).toMatchObject([{ fault: 'slow', status: 200 }]);
  });

  it('logs every request: vendor, method, path without the query, status', async () => {
    const sandbox = await sandboxWith();
    await createCallbellContact(sandbox);
    await fetch(`${sandbox.baseUrl('smspartner')}/contact/list?apiKey=wrong&groupId=g`);
    await fetch(`${sandbox.baseUrl('notificore')}/api/contacts`);

    expect(sandbox.requests).toMatchObject([
      { provider: 'callbell', method: 'POST', path: '/contacts', status: 200 },
      { provider: 'smspartner', method: 'GET', path: '/contact/list', status: 200 },
      { provider: 'notificore', method: 'GET', path: '/api/contacts', status: 401 },
    ]);
    expect(JSON.stringify(sandbox.requests)).not.toContain('wrong');
    for (const entry of sandbox.requests) expect(entry.at).toEqual(expect.any(Number));
  });

  it('reset() forgets every contact and the log', async () => {
    const sandbox = await sandboxWith();
    await createCallbellContact(sandbox);

    sandbox.reset();

    expect(sandbox.requests).toEqual([]);
    expect(sandbox.emulators.callbell.contacts()).toEqual([]);
    expect((await createCallbellContact(sandbox)).status).toBe(200); // credentials kept
  });

  it('answers 404 for a route of no vendor or outside a vendor base path', async () => {
    const sandbox = await sandboxWith();
    for (const path of ['/', '/twilio/v1/contacts', '/callbell/v2/contacts', '/__proto__/x']) {
      const response = await fetch(`${sandbox.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: 'No such sandbox route' });
    }
  });

  it('refuses a body over 1 MB with 413 and stores nothing', async () => {
    const sandbox = await sandboxWith();
    const response = await fetch(`${sandbox.baseUrl('callbell')}/contacts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SANDBOX_CREDENTIALS.callbell.apiToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ identifier: '33610000001', name: 'x'.repeat(1024 * 1024) }),
    });

    expect(response.status).toBe(413);
    expect(sandbox.emulators.callbell.contacts()).toEqual([]);
    expect(sandbox.requests).toMatchObject([{ provider: 'callbell', status: 413 }]);
  });

  it('close() stops listening', async () => {
    const sandbox = await startSandbox();
    await sandbox.close();
    await expect(fetch(`${sandbox.baseUrl('callbell')}/contacts`)).rejects.toThrow();
  });
});
