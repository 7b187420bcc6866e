import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContactEvent } from 'contact-sync';
import { signCallbellPayload } from 'contact-sync/callbell';
import { afterEach, describe, expect, it } from 'vitest';
import { createExpressApp } from '../src/express.js';
import { createHonoApp } from '../src/hono.js';
import { createWebhookServer } from '../src/node-http.js';

const SECRET = 'whsec_example_3c1d5e7f9a';
const body = JSON.stringify({
  event: 'contact_created',
  payload: {
    uuid: 'c-1',
    name: 'Ana',
    phoneNumber: '33612345678',
    createdAt: '2026-11-29T10:00:00Z',
  },
});
const headers = (signedBody = body) => ({
  'content-type': 'application/json',
  'x-callbell-signature': signCallbellPayload(SECRET, signedBody, Math.floor(Date.now() / 1000)),
});

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function listen(created: Server): Promise<string> {
  server = created;
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(created.address() as AddressInfo).port}`;
}

describe('webhook examples (docs/webhooks.md)', () => {
  it('node:http: a signed event reaches onEvent; a tampered one is answered 401', async () => {
    const events: ContactEvent[] = [];
    const url = await listen(
      createWebhookServer({ secret: SECRET, onEvent: (event) => void events.push(event) }),
    );
    const ok = await fetch(`${url}/hooks/callbell`, { method: 'POST', headers: headers(), body });
    const tampered = await fetch(`${url}/hooks/callbell`, {
      method: 'POST',
      headers: headers(),
      body: body.replace('Ana', 'Eve'),
    });
    expect([ok.status, tampered.status]).toEqual([200, 401]);
    expect(events.map((event) => [event.type, event.id])).toEqual([['created', 'c-1']]);
  });

  it('Express: the route before express.json() sees the raw body', async () => {
    const events: ContactEvent[] = [];
    const app = createExpressApp({ secret: SECRET, onEvent: (event) => void events.push(event) });
    const url = await listen(app.listen(0, '127.0.0.1'));
    const ok = await fetch(`${url}/hooks/callbell`, { method: 'POST', headers: headers(), body });
    const unsigned = await fetch(`${url}/hooks/callbell`, { method: 'POST', body });
    expect([ok.status, unsigned.status]).toEqual([200, 401]);
    expect(events).toHaveLength(1);
  });

  it('Hono: the Fetch handler answers from the raw Request', async () => {
    const events: ContactEvent[] = [];
    const app = createHonoApp({ secret: SECRET, onEvent: (event) => void events.push(event) });
    const ok = await app.request('/hooks/callbell', { method: 'POST', headers: headers(), body });
    const stale = await app.request('/hooks/callbell', {
      method: 'POST',
      headers: {
        'x-callbell-signature': signCallbellPayload(
          SECRET,
          body,
          Math.floor(Date.now() / 1000) - 600,
        ),
      },
      body,
    });
    expect([ok.status, stale.status]).toEqual([200, 401]);
    expect(events[0]?.contact?.phone).toBe('+33612345678');
  });
});
