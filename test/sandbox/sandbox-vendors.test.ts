import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { SANDBOX_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const VENDORS = ['smspartner', 'callbell', 'notificore'] as const;

function storeFor(provider: (typeof VENDORS)[number], overrides: Record<string, unknown> = {}) {
  const config = sandbox.storeConfigs().find((item) => item.provider === provider);
  return createContactStore({ ...config, retry: false, ...overrides } as never);
}

describe('sandbox vendors, through the real stores over HTTP', () => {
  it.each(VENDORS)('%s: create, read, find, list, update, delete', async (provider) => {
    const store = storeFor(provider);

    const created = await store.create({ phone: '+33610000001', firstName: 'Ann' });
    expect(await store.get(created.id)).toMatchObject({ phone: '+33610000001', firstName: 'Ann' });
    expect((await store.findByPhone('+33610000001'))?.id).toBe(created.id);
    const updated = await store.update(created.id, { firstName: 'Anna' });
    expect(updated.firstName).toBe('Anna');
    const listed: string[] = [];
    for await (const contact of store.list()) listed.push(contact.id);
    expect(listed).toEqual([created.id]);
    await store.delete(created.id);

    expect(sandbox.emulators[provider].contacts()).toEqual([]);
    expect(new Set(sandbox.requests.map((request) => request.provider))).toEqual(
      new Set([provider]),
    );
  });

  it.each([
    ['smspartner', { apiKey: 'wrong-key' }],
    ['callbell', { apiToken: 'wrong-token' }],
    ['notificore', { apiKey: 'test_wrong-key' }],
  ] as const)(
    '%s: a wrong credential gets the vendor refusal → unauthorized',
    async (provider, bad) => {
      const store = storeFor(provider, bad);

      await expect(store.create({ phone: '+33610000001' })).rejects.toMatchObject({
        code: 'unauthorized',
        provider,
      });
      expect(sandbox.emulators[provider].contacts()).toEqual([]);
    },
  );

  it("answers a wrong credential in each vendor's own way", async () => {
    const smspartner = await fetch(`${sandbox.baseUrl('smspartner')}/contact/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiKey: 'wrong',
        groupId: SANDBOX_CREDENTIALS.smspartner.groupId,
        contact: { phoneNumber: '+33610000001' },
      }),
    });
    const callbell = await fetch(`${sandbox.baseUrl('callbell')}/contacts`, {
      headers: { authorization: 'Bearer wrong' },
    });
    const notificore = await fetch(`${sandbox.baseUrl('notificore')}/api/contacts`, {
      headers: { authorization: 'Bearer wrong' },
    });

    // SMS Partner answers HTTP 200 with its own envelope; the others use HTTP 401.
    expect(smspartner.status).toBe(200);
    expect(await smspartner.json()).toMatchObject({ success: false, code: 10 });
    expect(callbell.status).toBe(401);
    expect(notificore.status).toBe(401);
  });

  it('keeps SMS Partner quirks: a duplicate phone is refused with code 15 on HTTP 200', async () => {
    const add = () =>
      fetch(`${sandbox.baseUrl('smspartner')}/contact/add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...SANDBOX_CREDENTIALS.smspartner,
          contact: { phoneNumber: '+33610000001' },
        }),
      }).then((response) => response.json());

    expect(await add()).toMatchObject({ success: true });
    expect(await add()).toMatchObject({ success: false, code: 15 });
  });
});
