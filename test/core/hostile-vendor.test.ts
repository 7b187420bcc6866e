import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import type { ContactStore } from '../../src/contact-store.js';
import type { ContactSyncError } from '../../src/errors.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';

/**
 * Vendors that lie, served by node:http on 127.0.0.1 (no nock in this file): one redirects every
 * request to a second server that counts what reaches it; one answers about another contact.
 */

const API_KEY = 'sk-hostile-0123456789';
const TOKEN = 'token-hostile-0123456789';
const PHONE = '+33612345678';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => handler(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: ContactSyncError) => error,
  );

describe('a vendor that redirects', () => {
  let target: { server: Server; url: string };
  let redirecting: { server: Server; url: string };
  let reached: { method?: string; url?: string; body: string }[] = [];
  let status = 307;

  beforeAll(async () => {
    target = await serve((request, response, body) => {
      reached.push({ method: request.method, url: request.url, body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ success: true, code: 200, contact: [{ uuid: 'stolen' }] }));
    });
    redirecting = await serve((request, response) => {
      response.writeHead(status, { location: `${target.url}/collect${request.url}` });
      response.end();
    });
  });
  afterEach(() => {
    reached = [];
  });
  afterAll(async () => {
    await Promise.all([close(target.server), close(redirecting.server)]);
  });

  const stores = (): [string, ContactStore][] => [
    [
      'smspartner',
      createSmsPartnerContactStore({
        apiKey: API_KEY,
        groupId: 'g1',
        baseUrl: `${redirecting.url}/v1`,
        retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
      }),
    ],
    [
      'callbell',
      createCallbellContactStore({
        apiToken: TOKEN,
        baseUrl: `${redirecting.url}/v1`,
        retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
      }),
    ],
  ];

  for (const code of [301, 302, 303, 307, 308]) {
    it(`sends nothing to the Location of a ${code}, and fails invalid_response naming the status`, async () => {
      status = code;
      for (const [provider, store] of stores()) {
        // A create (POST: the key and the phone in the body) and a read (GET: the key in the query).
        for (const call of [() => store.create({ phone: PHONE }), () => store.get('42')]) {
          const error = await failure(call());
          expect(error).toMatchObject({ code: 'invalid_response', provider, status: code });
          expect(error.retryable).toBe(false);
          expect(error.message).toContain(String(code));
          expect(error.message).toContain('redirect');
          expect(error.message).not.toContain(API_KEY);
          expect(error.message).not.toContain(TOKEN);
          expect(error.message).not.toContain(target.url);
          expect(error.message).not.toContain('collect');
        }
      }
      expect(reached).toEqual([]);
    });
  }
});

describe('a vendor that answers about another contact', () => {
  let vendor: { server: Server; url: string };
  const contact = (uuid: string, phone: string) => ({
    contact: [{ uuid, name: 'B', phoneNumber: phone, tags: [], customFields: {} }],
  });
  beforeAll(async () => {
    // Whatever id is asked, the answer is contact B (another phone); a lookup answers B too.
    vendor = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(contact('contact-b', '33698765432')));
    });
  });
  afterAll(() => close(vendor.server));

  const store = () =>
    createCallbellContactStore({
      apiToken: TOKEN,
      baseUrl: `${vendor.url}/v1`,
      retry: false,
    });

  it('rejects a get or an update of A answered with B', async () => {
    expect(await failure(store().get('contact-a'))).toMatchObject({
      code: 'invalid_response',
      operation: 'get',
    });
    expect(await failure(store().update('contact-a', { name: 'A' }))).toMatchObject({
      code: 'invalid_response',
      operation: 'update',
    });
  });

  it('rejects a lookup of one phone answered with another', async () => {
    expect(await failure(store().findByPhone(PHONE))).toMatchObject({
      code: 'invalid_response',
      operation: 'findByPhone',
    });
  });

  it('never relinks a key to B, and reports the push failed', async () => {
    const links = memoryLinkStore();
    await links.set('crm-a', 'callbell', 'contact-a');
    const sync = createContactSync({ stores: [store()], links });
    const report = await sync.push({ key: 'crm-a', contact: { phone: PHONE, name: 'A' } });
    expect(report.results).toMatchObject([
      { provider: 'callbell', status: 'failed', error: { code: 'invalid_response' } },
    ]);
    expect(await links.get('crm-a')).toEqual({ callbell: 'contact-a' });
  });
});
