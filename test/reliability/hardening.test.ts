import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createContactStore } from '../../providers/registry.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { LIMITS } from '../../src/contact-schema.js';
import type { ContactStore } from '../../src/contact-store.js';
import { isContactSyncError } from '../../src/errors.js';

/** HTTPS only, ids kept in their path segment, no prototype pollution, bounded sizes, deadlines. */

const CREDENTIALS = {
  smspartner: { apiKey: 'hardening-key', groupId: 'g1' },
  callbell: { apiToken: 'hardening-token' },
  notificore: { apiKey: 'test_hardening-key' },
} as const;
type Vendor = keyof typeof CREDENTIALS;
const VENDORS = Object.keys(CREDENTIALS) as Vendor[];
const FACTORIES = {
  smspartner: createSmsPartnerContactStore,
  callbell: createCallbellContactStore,
  notificore: createNotificoreContactStore,
} as Record<Vendor, (options: never) => ContactStore>;

const storeOf = (vendor: Vendor, options: Record<string, unknown> = {}) =>
  FACTORIES[vendor]({
    ...CREDENTIALS[vendor],
    retry: { retries: 0, minTimeout: 0, maxTimeout: 0 },
    rateLimit: false,
    ...options,
  } as never);

let directory: string;
beforeAll(async () => {
  nock.disableNetConnect();
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-hardening-'));
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  await rm(directory, { recursive: true, force: true });
});

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('HTTPS only: plain HTTP only to loopback hosts', () => {
  const refused = [
    'http://api.example.test/v1',
    'http://localhost.example.test',
    'http://127.0.0.1.example.test',
    'http://10.0.0.1',
    'https://user:secret@api.example.test',
    'https://api.example.test/v1?apiKey=x',
    'ftp://api.example.test',
    'javascript:alert(1)',
    'not a url',
  ];
  const accepted = [
    'https://api.example.test/v1',
    'http://127.0.0.1:8080/v1',
    'http://localhost:8080',
    'http://[::1]:8080',
  ];

  for (const vendor of VENDORS) {
    it(`${vendor}: the factory and createContactStore refuse a non-loopback http:// baseUrl`, () => {
      for (const baseUrl of refused) {
        for (const build of [
          () => storeOf(vendor, { baseUrl }),
          () => createContactStore({ provider: vendor, ...CREDENTIALS[vendor], baseUrl } as never),
        ]) {
          const error = caught(build);
          expect(isContactSyncError(error), baseUrl).toBe(true);
          expect(error).toMatchObject({ code: 'invalid_config', issues: [{ path: 'baseUrl' }] });
        }
      }
      for (const baseUrl of accepted) expect(storeOf(vendor, { baseUrl }).provider).toBe(vendor);
    });
  }

  it('the CLI config refuses the same, and literal secrets anywhere but on loopback', async () => {
    const file = join(directory, 'https.config.json');
    const env = { KEY: 'from-the-env' };
    for (const baseUrl of refused) {
      await writeFile(
        file,
        JSON.stringify({ stores: [{ provider: 'callbell', apiToken: `\${KEY}`, baseUrl }] }),
      );
      const error = await loadConfig(file, env).catch((failure: unknown) => failure);
      expect(error, baseUrl).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('baseUrl');
    }
    await writeFile(
      file,
      JSON.stringify({
        stores: [{ provider: 'callbell', apiToken: 'literal', baseUrl: 'https://x.test' }],
      }),
    );
    await expect(loadConfig(file, env)).rejects.toThrow(/apiToken: write it as "\$\{VARIABLE\}"/);
    await writeFile(
      file,
      JSON.stringify({
        stores: [{ provider: 'callbell', apiToken: 'literal', baseUrl: 'http://127.0.0.1:9/v1' }],
      }),
    );
    await expect(loadConfig(file, env)).resolves.toBeTruthy();
  });
});

describe('ids and phones stay in their place in paths and queries', () => {
  const ODD_IDS = ['a/b', 'a?b=1', 'a#b', '100%', '../x', 'a/../../b', '%2e%2e', ' x', 'é'];

  /** Records every request to `origin`, answering `status` with `body`. */
  function record(origin: string, status: number, body: unknown) {
    const seen: { method: string; uri: string; body: unknown }[] = [];
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      nock(origin)
        .persist()
        .intercept(/.*/, method)
        .reply((uri, requestBody) => {
          seen.push({ method, uri, body: requestBody });
          if (uri.endsWith('/api/auth/login')) return [200, { bearer: 'jwt-1' }];
          return [status, body];
        });
    }
    return seen;
  }

  it('callbell: get, update, delete put the encoded id in exactly one segment', async () => {
    for (const id of ODD_IDS) {
      const seen = record('https://api.callbell.eu', 404, { message: 'not found' });
      const store = storeOf('callbell');
      await expect(store.get(id)).resolves.toBeUndefined();
      await expect(store.update(id, { tags: ['a'] })).rejects.toMatchObject({ code: 'not_found' });
      await expect(store.delete(id)).rejects.toMatchObject({ code: 'not_found' });
      const path = `/v1/contacts/${encodeURIComponent(id)}`;
      expect(seen.map((request) => `${request.method} ${request.uri}`)).toEqual([
        `GET ${path}`,
        `PATCH ${path}`,
        `DELETE ${path}`,
      ]);
      nock.cleanAll();
    }
  });

  it('notificore: get, update, delete put the encoded id in exactly one segment', async () => {
    for (const id of ODD_IDS) {
      const seen = record('https://one-api.notificore.ru', 404, { message: 'Not found' });
      const store = storeOf('notificore', { fieldMap: { firstName: 25964 } });
      await expect(store.get(id)).resolves.toBeUndefined();
      await expect(store.update(id, { firstName: 'A' })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.delete(id)).rejects.toMatchObject({ code: 'not_found' });
      const path = `/api/contacts/${encodeURIComponent(id)}`;
      const contactRequests = seen.filter((request) => !request.uri.endsWith('/login'));
      expect(contactRequests.length).toBeGreaterThanOrEqual(3);
      for (const request of contactRequests) expect(request.uri).toBe(path);
      nock.cleanAll();
    }
  });

  it('smspartner: the id travels as itself in the query and the JSON body', async () => {
    for (const id of ODD_IDS) {
      const seen = record('https://api.smspartner.fr', 200, { success: false, code: 404 });
      const store = storeOf('smspartner');
      await expect(store.get(id)).resolves.toBeUndefined();
      await expect(store.delete(id)).rejects.toMatchObject({ code: 'not_found' });
      const [detail, remove] = seen;
      const url = new URL(detail?.uri ?? '', 'https://api.smspartner.fr');
      expect(url.pathname).toBe('/v1/contact/detail');
      expect(url.searchParams.get('contactId')).toBe(id);
      expect([...url.searchParams.keys()].sort()).toEqual(['apiKey', 'contactId']);
      expect(remove?.uri).toBe('/v1/contact/delete');
      expect(remove?.body).toMatchObject({ contactId: id });
      nock.cleanAll();
    }
  });

  it('callbell: a phone in the lookup path is digits only', async () => {
    const seen = record('https://api.callbell.eu', 404, { message: 'not found' });
    await storeOf('callbell').findByPhone('+33 6 12 34 56 78');
    expect(seen.map((request) => request.uri)).toEqual(['/v1/contacts/phone/33612345678']);
  });

  it("ids '.', '..', '' and lone surrogates are invalid_input, never sent", async () => {
    for (const vendor of VENDORS) {
      const store = storeOf(vendor);
      for (const id of ['.', '..', '', '\uD800', 'a\uDC00']) {
        for (const call of [
          () => store.get(id),
          () => store.delete(id),
          () => store.update(id, { firstName: 'A' }),
        ]) {
          await expect(call(), `${vendor} ${JSON.stringify(id)}`).rejects.toMatchObject({
            code: 'invalid_input',
          });
        }
        expect(() => store.preview('delete', {}, id)).toThrow(
          expect.objectContaining({ code: 'invalid_input' }),
        );
      }
    }
  });
});

describe('no prototype pollution', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('customFields keys __proto__, constructor, prototype: invalid_input at every vendor', async () => {
    for (const vendor of VENDORS) {
      const store = storeOf(vendor);
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        const customFields = JSON.parse(`{"${key}": {"polluted": "yes"}, "ok": "1"}`);
        await expect(
          store.create({ phone: '+33612345678', customFields }),
          `${vendor} ${key}`,
        ).rejects.toMatchObject({ code: 'invalid_input' });
        const stringValued = JSON.parse(`{"${key}": "yes"}`);
        await expect(
          store.upsert({ phone: '+33612345678', customFields: stringValued }),
        ).rejects.toMatchObject({
          code: 'invalid_input',
          issues: [expect.objectContaining({ path: expect.stringContaining('customFields') })],
        });
      }
    }
  });

  it('fieldMap keys __proto__, constructor, prototype: invalid_config at every vendor', () => {
    for (const vendor of VENDORS) {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        const fieldMap = JSON.parse(`{"${key}": "custom1"}`);
        expect(
          caught(() => storeOf(vendor, { fieldMap })),
          `${vendor} ${key}`,
        ).toMatchObject({
          code: 'invalid_config',
        });
      }
    }
  });

  it('a __proto__ key in a store config object is refused, not merged', () => {
    const config = JSON.parse(
      '{"provider":"callbell","apiToken":"t-123456","__proto__":{"baseUrl":"http://evil.test"}}',
    );
    expect(caught(() => createContactStore(config))).toMatchObject({ code: 'invalid_config' });
  });

  it('a __proto__ key at the top of the CLI config JSON is refused', async () => {
    const file = join(directory, 'proto-top.config.json');
    await writeFile(
      file,
      `{"stores":[{"provider":"callbell","apiToken":"\${T}"}],"__proto__":{"polluted":"yes"}}`,
    );
    await expect(loadConfig(file, { T: 'token-123456' })).rejects.toThrow(/__proto__/);
  });

  it('a __proto__ key inside a store of the CLI config JSON is refused', async () => {
    const file = join(directory, 'proto-store.config.json');
    for (const text of [
      `{"stores":[{"provider":"callbell","apiToken":"\${T}","__proto__":{"polluted":"yes"}}]}`,
      `{"stores":[{"provider":"callbell","apiToken":"\${T}","retry":{"__proto__":{"retries":20}}}]}`,
    ]) {
      await writeFile(file, text);
      await expect(loadConfig(file, { T: 'token-123456' }), text).rejects.toThrow(/__proto__/);
    }
  });
});

describe('CLI input rows with reserved keys', () => {
  // A `__proto__` column (CSV) or key (JSON, NDJSON) is kept as the row's own key, so validation
  // fails the row by name instead of the key vanishing into the object's prototype.
  it('a __proto__ column or key reaches validation (and fails the row) instead of vanishing', async () => {
    const { readRecords } = await import('../../cli/input.js');
    const csv = join(directory, 'proto.csv');
    const ndjson = join(directory, 'proto.ndjson');
    await writeFile(csv, 'key,phone,__proto__\nk1,+33612345678,evil\n');
    await writeFile(ndjson, '{"key":"k1","phone":"+33612345678","__proto__":{"polluted":"1"}}\n');
    for (const file of [csv, ndjson]) {
      for await (const record of readRecords(file)) {
        expect(Object.keys(record.contact.customFields ?? {}), file).toContain('__proto__');
      }
    }
  });
});

describe('bounded sizes: an oversized value is a clear invalid_input, unsent', () => {
  const long = (length: number) => 'x'.repeat(length);
  const cases: [string, Record<string, unknown>, string][] = [
    ['firstName', { firstName: long(LIMITS.text + 1) }, 'firstName'],
    ['tags', { tags: Array.from({ length: LIMITS.tags + 1 }, (_, i) => `t${i}`) }, 'tags'],
    ['tag', { tags: [long(LIMITS.tag + 1)] }, 'tags.0'],
    [
      'customFields',
      {
        customFields: Object.fromEntries(
          Array.from({ length: LIMITS.customFields + 1 }, (_, i) => [`k${i}`, 'v']),
        ),
      },
      'customFields',
    ],
    [
      'custom field value',
      { customFields: { k: long(LIMITS.customFieldValue + 1) } },
      'customFields.k',
    ],
    ['phone', { phone: `+33${'6'.repeat(70)}` }, 'phone'],
  ];

  for (const vendor of VENDORS) {
    it(`${vendor}: every limit names the field`, async () => {
      let sent = 0;
      const store = storeOf(vendor, {
        fetch: async () => {
          sent += 1;
          return new Response('{}', { status: 500 });
        },
      });
      for (const [name, fields, path] of cases) {
        const error = await store
          .create({ phone: '+33612345678', ...fields } as never)
          .catch((failure: unknown) => failure);
        expect(error, name).toMatchObject({ code: 'invalid_input' });
        expect((error as { issues: { path: string }[] }).issues[0]?.path, name).toBe(path);
      }
      await expect(store.get(long(LIMITS.id + 1))).rejects.toMatchObject({
        code: 'invalid_input',
        issues: [{ path: 'id' }],
      });
      expect(sent).toBe(0);
    });
  }
});

describe('odd objects as input', () => {
  it('a getter or a proxy trap that throws comes out as a ContactSyncError', async () => {
    const throwingGetter = Object.defineProperty({}, 'phone', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const throwingProxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('proxy');
        },
        get() {
          throw new Error('proxy');
        },
      },
    );
    for (const vendor of VENDORS) {
      const store = storeOf(vendor);
      for (const input of [throwingGetter, throwingProxy]) {
        const error = await store.create(input as never).catch((failure: unknown) => failure);
        expect(isContactSyncError(error), `${vendor}: ${String(error)}`).toBe(true);
        const config = caught(() => createContactStore(input as never));
        expect(isContactSyncError(config), `${vendor} config: ${String(config)}`).toBe(true);
      }
    }
  });
});

describe('call options', () => {
  it('list(null) lists; a signal that is not an AbortSignal is invalid_input, unsent', async () => {
    for (const vendor of VENDORS) {
      let sent = 0;
      const store = storeOf(vendor, {
        fetch: async () => {
          sent += 1;
          return new Response('{}', { status: 503 });
        },
      });
      // null is "no options" (it used to throw a TypeError reading `limit`).
      await expect(
        store
          .list(null as never)
          [Symbol.asyncIterator]()
          .next(),
      ).rejects.toMatchObject({
        code: 'provider_error',
      });
      sent = 0;
      for (const signal of [5, 'abort', {}, { aborted: 'no' }]) {
        for (const call of [
          () => store.get('1', { signal } as never),
          () => store.upsert({ phone: '+33612345678' }, { signal } as never),
          () =>
            store
              .list({ signal } as never)
              [Symbol.asyncIterator]()
              .next(),
        ]) {
          await expect(call(), `${vendor} ${JSON.stringify(signal)}`).rejects.toMatchObject({
            code: 'invalid_input',
            issues: [{ path: 'signal' }],
          });
        }
      }
      expect(sent).toBe(0);
    }
  });
});

describe('every call has a deadline', () => {
  /** A vendor that never answers (until the request is aborted). */
  const silent: typeof fetch = (input) =>
    new Promise((_, reject) => {
      const signal = (input as Request).signal;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  /** A vendor that sends its headers, then never finishes the body. */
  const stalling: typeof fetch = async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"success":true,'));
        },
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );

  for (const vendor of VENDORS) {
    // A hang would fail the test on its own timeout; the attempts prove each one timed out.
    it(`${vendor}: a silent vendor is a timeout after (retries + 1) × timeout`, async () => {
      let attempts = 0;
      const store = storeOf(vendor, {
        timeout: 100,
        retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
        hooks: { onRequest: () => (attempts += 1) },
        fetch: silent,
      });
      await expect(store.get('1')).rejects.toMatchObject({ code: 'timeout' });
      expect(attempts).toBe(3);
    });

    it(`${vendor}: a body that never ends is a timeout too`, async () => {
      const store = storeOf(vendor, { timeout: 150, fetch: stalling });
      await expect(store.get('1')).rejects.toMatchObject({ code: 'timeout' });
    });
  }

  it('a Retry-After above maxRetryAfter fails at once with retryAfterMs; a short one is waited', async () => {
    let calls = 0;
    const throttled =
      (seconds: string): typeof fetch =>
      async () => {
        calls += 1;
        return new Response('{}', { status: 429, headers: { 'retry-after': seconds } });
      };
    const store = storeOf('callbell', {
      retry: { retries: 3, minTimeout: 0, maxTimeout: 0, maxRetryAfter: 1_000 },
      fetch: throttled('3600'),
    });
    // Not waited: one call, and the test would time out long before the hour.
    await expect(store.get('1')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 3_600_000,
    });
    expect(calls).toBe(1);

    calls = 0;
    const patient = storeOf('callbell', {
      retry: { retries: 1, minTimeout: 0, maxTimeout: 0, maxRetryAfter: 1_000 },
      fetch: throttled('0.2'),
    });
    const waited = Date.now();
    await expect(patient.get('1')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(calls).toBe(2);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(190);
  });

  it('notificore: a login answered 408 is a retried timeout, not a refused key', async () => {
    let logins = 0;
    const store = storeOf('notificore', {
      retry: { retries: 1, minTimeout: 0, maxTimeout: 0 },
      fetch: async (input: Request) => {
        if (new URL(input.url).pathname.endsWith('/login')) {
          logins += 1;
          return logins === 1
            ? new Response('', { status: 408 })
            : Response.json({ bearer: 'jwt-1' });
        }
        return Response.json({ message: 'Invalid contact id' }, { status: 422 });
      },
    });
    await expect(store.get('1')).resolves.toBeUndefined();
    expect(logins).toBe(2);
  });
});
