import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callbellWebhook,
  signCallbellPayload,
  verifyCallbellSignature,
} from '../../providers/callbell/index.js';
import type { ContactEvent } from '../../src/contact-event.js';
import { isContactSyncError } from '../../src/errors.js';

const SECRET = 'whsec_3b9f0c1e2d4a5b6c7d8e9f00112233';
const NOW = 1_790_000_000;

const updated = {
  event: 'contact_updated',
  payload: {
    href: 'https://dash.callbell.eu/contacts/eb2b914a977e4ab896e7b886698b3eac',
    name: 'John Doe',
    tags: ['Lead'],
    uuid: 'eb2b914a977e4ab896e7b886698b3eac',
    source: 'whatsapp',
    avatarUrl: null,
    createdAt: '2022-10-12T15:57:16Z',
    phoneNumber: '331122334455',
  },
};

function setup(extra: Partial<Parameters<typeof callbellWebhook>[0]> = {}) {
  const events: ContactEvent[] = [];
  const ignored: string[] = [];
  const handler = callbellWebhook({
    secret: SECRET,
    onEvent: (event) => {
      events.push(event);
    },
    onIgnored: ({ event }) => ignored.push(event),
    links: {
      findKey: async (provider, id) =>
        provider === 'callbell' && id === updated.payload.uuid ? 'crm-7' : undefined,
    },
    now: () => NOW * 1000,
    ...extra,
  });
  return { handler, events, ignored };
}

function signedRequest(body: string, header = signCallbellPayload(SECRET, body, NOW)): Request {
  return new Request('https://example.test/hooks/callbell', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-callbell-signature': header },
    body,
  });
}

describe('the X-Callbell-Signature scheme', () => {
  it('is t=<seconds>,v1=<lowercase hex HMAC-SHA256 of "<t>.<raw body>" keyed with the whole whsec_ secret>', () => {
    const header = signCallbellPayload(SECRET, '{"a":1}', 1790000000);
    expect(header).toMatch(/^t=1790000000,v1=[0-9a-f]{64}$/);
    expect(verifyCallbellSignature(header, Buffer.from('{"a":1}'), [SECRET], 1790000000)).toEqual({
      ok: true,
      timestamp: 1790000000,
    });
    // Keyed with the whole string: without the whsec_ prefix it does not verify.
    const stripped = signCallbellPayload(SECRET.slice('whsec_'.length), '{"a":1}', 1790000000);
    expect(verifyCallbellSignature(stripped, Buffer.from('{"a":1}'), [SECRET], 1790000000).ok).toBe(
      false,
    );
  });

  it('accepts any secret of a rotation list, and a timestamp within 300 s either way only', () => {
    const body = Buffer.from('{}');
    const header = signCallbellPayload('whsec_old', body, NOW);
    expect(verifyCallbellSignature(header, body, ['whsec_new', 'whsec_old'], NOW).ok).toBe(true);
    expect(verifyCallbellSignature(header, body, ['whsec_old'], NOW + 300).ok).toBe(true);
    expect(verifyCallbellSignature(header, body, ['whsec_old'], NOW + 301)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyCallbellSignature(header, body, ['whsec_old'], NOW - 301)).toEqual({
      ok: false,
      reason: 'stale',
    });
  });
});

describe('callbellWebhook (Fetch API)', () => {
  it('turns a signed contact_updated into a ContactEvent with the linked key', async () => {
    const { handler, events } = setup();
    const response = await handler(signedRequest(JSON.stringify(updated)));
    expect(response.status).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({
        provider: 'callbell',
        type: 'updated',
        id: 'eb2b914a977e4ab896e7b886698b3eac',
        key: 'crm-7',
        at: new Date(NOW * 1000).toISOString(),
        contact: expect.objectContaining({
          phone: '+331122334455',
          name: 'John Doe',
          tags: ['Lead'],
        }),
      }),
    ]);
  });

  it('reads contact_created (at = createdAt) and contact_deleted (at = deleted, no contact)', async () => {
    const { handler, events } = setup();
    const created = { event: 'contact_created', payload: { ...updated.payload, uuid: 'c1' } };
    const deleted = {
      event: 'contact_deleted',
      payload: { uuid: 'fad77e68757b43c3b77b51cd66ec18f3', deleted: '2022-10-17T15:15:06.095Z' },
    };
    expect((await handler(signedRequest(JSON.stringify(created)))).status).toBe(200);
    expect((await handler(signedRequest(JSON.stringify(deleted)))).status).toBe(200);
    expect(events[0]).toMatchObject({ type: 'created', id: 'c1', at: '2022-10-12T15:57:16.000Z' });
    expect(events[0]?.key).toBeUndefined();
    expect(events[1]).toEqual({
      provider: 'callbell',
      type: 'deleted',
      id: 'fad77e68757b43c3b77b51cd66ec18f3',
      at: '2022-10-17T15:15:06.095Z',
    });
  });

  it('answers 401 without calling onEvent when unsigned, stale, or signed with another secret', async () => {
    const { handler, events } = setup();
    const body = JSON.stringify(updated);
    const unsigned = new Request('https://example.test/', { method: 'POST', body });
    expect((await handler(unsigned)).status).toBe(401);
    expect(
      (await handler(signedRequest(body, signCallbellPayload(SECRET, body, NOW - 400)))).status,
    ).toBe(401);
    expect(
      (await handler(signedRequest(body, signCallbellPayload('whsec_other', body, NOW)))).status,
    ).toBe(401);
    expect(events).toEqual([]);
  });

  it('answers 401 to a change of any single byte of the header or of the body', async () => {
    const { handler, events } = setup();
    const body = JSON.stringify(updated);
    const header = signCallbellPayload(SECRET, body, NOW);
    const flip = (text: string, index: number) => {
      const code = text.charCodeAt(index);
      // Another printable character, never the same one.
      const next = code === 0x7e ? 0x21 : code + 1;
      return text.slice(0, index) + String.fromCharCode(next) + text.slice(index + 1);
    };
    for (let index = 0; index < header.length; index += 1) {
      const response = await handler(signedRequest(body, flip(header, index)));
      expect(response.status, `header byte ${index}`).not.toBe(200);
    }
    for (let index = 0; index < body.length; index += 1) {
      const response = await handler(signedRequest(flip(body, index), header));
      expect(response.status, `body byte ${index}`).toBe(401);
    }
    expect(events).toEqual([]);
  });

  it('answers 500 when onEvent throws, so Callbell delivers again; the next delivery goes through', async () => {
    let fail = true;
    const seen: string[] = [];
    const { handler } = setup({
      onEvent: (event) => {
        if (fail) throw new Error('database down');
        seen.push(event.id);
      },
    });
    const body = JSON.stringify(updated);
    expect((await handler(signedRequest(body))).status).toBe(500);
    fail = false;
    // A retried delivery is signed again with a new t.
    expect(
      (await handler(signedRequest(body, signCallbellPayload(SECRET, body, NOW + 30)))).status,
    ).toBe(200);
    expect(seen).toEqual([updated.payload.uuid]);
  });

  it('answers 200 to other event types without onEvent, reporting them to onIgnored', async () => {
    const { handler, events, ignored } = setup();
    const message = JSON.stringify({ event: 'message_created', payload: { uuid: 'm1' } });
    expect((await handler(signedRequest(message))).status).toBe(200);
    expect(events).toEqual([]);
    expect(ignored).toEqual(['message_created']);
  });

  it('answers the connection check (no event) with {"status":"ok"}', async () => {
    const { handler } = setup();
    const response = await handler(signedRequest('{}'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a body over maxBodyBytes with 413, and a GET with 405', async () => {
    const { handler, events } = setup({ maxBodyBytes: 64 });
    const big = JSON.stringify({ ...updated, padding: 'x'.repeat(200) });
    expect((await handler(signedRequest(big))).status).toBe(413);
    expect((await handler(new Request('https://example.test/'))).status).toBe(405);
    expect(events).toEqual([]);
  });

  it('refuses bad options as invalid_config naming the option', () => {
    const attempt = (options: unknown) => {
      try {
        callbellWebhook(options as never);
      } catch (error) {
        return isContactSyncError(error) ? [error.code, error.issues?.[0]?.path] : error;
      }
      return 'no error';
    };
    expect(attempt({ onEvent: () => {} })).toEqual(['invalid_config', 'secret']);
    expect(attempt({ secret: SECRET })).toEqual(['invalid_config', 'onEvent']);
    expect(attempt({ secret: SECRET, onEvent: () => {}, links: {} })).toEqual([
      'invalid_config',
      'links',
    ]);
  });

  it('never puts the secret or the phone in an answer', async () => {
    const { handler } = setup({
      onEvent: () => {
        throw new Error(`failed for ${updated.payload.phoneNumber} with ${SECRET}`);
      },
    });
    const response = await handler(signedRequest(JSON.stringify(updated)));
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(updated.payload.phoneNumber);
  });
});

describe('callbellWebhook.node (node:http)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('verifies the raw body and answers like the Fetch handler', async () => {
    const { handler, events } = setup();
    server = createServer((request, response) => void handler.node(request, response));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const body = JSON.stringify(updated);
    const post = (signature: string) =>
      fetch(`http://127.0.0.1:${port}/callbell`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-callbell-signature': signature },
        body,
      });
    expect((await post(signCallbellPayload(SECRET, body, NOW))).status).toBe(200);
    expect((await post(signCallbellPayload(SECRET, `${body} `, NOW))).status).toBe(401);
    expect(events.map((event) => event.key)).toEqual(['crm-7']);
  });
});
