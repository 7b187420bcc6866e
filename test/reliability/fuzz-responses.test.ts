import fc from 'fast-check';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import type { ContactStore } from '../../src/contact-store.js';
import { isContactSyncError } from '../../src/errors.js';

/**
 * Generated vendor answers (wrong types, missing fields, HTML error pages, empty, huge and non-JSON
 * bodies, any status) to every operation of every adapter: a result, `invalid_response`, or the code
 * the status means; never a crash, never anything but a ContactSyncError.
 */

interface Answer {
  status: number;
  body: string;
  contentType?: string;
  retryAfter?: string;
}

let answer: Answer = { status: 200, body: '' };
const answering: typeof fetch = async () =>
  new Response([204, 205, 304].includes(answer.status) ? null : answer.body, {
    status: answer.status,
    headers: {
      ...(answer.contentType ? { 'content-type': answer.contentType } : {}),
      ...(answer.retryAfter !== undefined ? { 'retry-after': answer.retryAfter } : {}),
    },
  });

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

const quick = {
  retry: false,
  rateLimit: false,
  breaker: false,
  timeout: 2000,
  fetch: answering,
} as const;
const stores: ContactStore[] = [
  createSmsPartnerContactStore({ apiKey: 'key-123456', groupId: 'g1', ...quick }),
  createCallbellContactStore({ apiToken: 'token-123456', ...quick }),
  createNotificoreContactStore({ apiKey: 'test_key-123456', ...quick }),
  createNotificoreContactStore({
    apiKey: 'test_key-123456',
    fieldMap: { firstName: 'First name' },
    ...quick,
  }),
];

const json = fc.jsonValue({ maxDepth: 3 });
/** The keys the three vendors answer with, holding anything. */
const vendorShaped = fc.oneof(
  fc.record(
    {
      success: json,
      code: json,
      message: json,
      contact: fc.oneof(
        json,
        fc.record({ contactId: json, phone: json, firstname: json }, { requiredKeys: [] }),
      ),
      datas: fc.oneof(json, fc.array(fc.record({ contactId: json, phone: json }))),
      total: json,
      error: json,
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      contact: fc.oneof(
        json,
        fc.array(
          fc.record(
            { uuid: json, phoneNumber: json, name: json, tags: json, customFields: json },
            { requiredKeys: [] },
          ),
        ),
      ),
      contacts: json,
      meta: json,
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      bearer: json,
      data: fc.oneof(
        json,
        fc.array(fc.record({ id: json, phone: json, fields: json, name: json })),
        fc.record({ id: json, phone: json, fields: json }, { requiredKeys: [] }),
      ),
      id: json,
      phone: json,
      fields: json,
      meta: json,
    },
    { requiredKeys: [] },
  ),
);

const bodies: fc.Arbitrary<string> = fc.oneof(
  vendorShaped.map((value) => JSON.stringify(value)),
  json.map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '',
    'null',
    '[]',
    '{}',
    '{"contact":',
    'Internal Server Error',
    '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    '\uFEFF{"success":true}',
    `{"success":true,"code":200,"contact":{"contactId":"${'9'.repeat(400)}"}}`,
    `{"data":{"id":1e400,"phone":-1}}`,
    JSON.stringify({ message: 'x'.repeat(100_000) }),
  ),
  fc.string(),
);

const answers: fc.Arbitrary<Answer> = fc.record(
  {
    status: fc.oneof(
      fc.constantFrom(
        200,
        201,
        202,
        204,
        400,
        401,
        403,
        404,
        408,
        409,
        413,
        422,
        429,
        500,
        502,
        503,
      ),
      fc.integer({ min: 200, max: 599 }),
    ),
    body: bodies,
    contentType: fc.constantFrom('application/json', 'text/html', 'text/plain'),
    retryAfter: fc.constantFrom('1', '0', 'soon', '-5', 'Wed, 21 Oct 2099 07:28:00 GMT', '1e9'),
  },
  { requiredKeys: ['status', 'body'] },
);

const operations: [string, (store: ContactStore) => Promise<unknown>][] = [
  ['create', (store) => store.create({ phone: '+33612345678', firstName: 'Ada' })],
  ['upsert', (store) => store.upsert({ phone: '+33612345678', firstName: 'Ada' })],
  ['update', (store) => store.update('1', { firstName: 'Ada' })],
  ['get', (store) => store.get('1')],
  ['findByPhone', (store) => store.findByPhone('+33612345678')],
  ['delete', (store) => store.delete('1')],
  [
    'list',
    async (store) => {
      let count = 0;
      for await (const _ of store.list({ limit: 50 })) count += 1;
      return count;
    },
  ],
];

/** What a status means whatever the body, where the contract fixes it. */
function expectedCode(status: number): string | undefined {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'provider_error';
  if (status === 401 || status === 403) return 'unauthorized';
  return undefined;
}

describe('fuzz: generated vendor answers', () => {
  it('every operation of every adapter resolves or rejects with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(answers, fc.nat(stores.length - 1), async (generated, which) => {
        answer = generated;
        const store = stores[which] as ContactStore;
        for (const [name, run] of operations) {
          let error: unknown;
          try {
            await run(store);
          } catch (caught) {
            error = caught;
          }
          if (error === undefined) continue;
          if (!isContactSyncError(error)) {
            throw new Error(`${store.provider} ${name}: ${String(error)}`, { cause: error });
          }
          expect(['network', 'aborted']).not.toContain(error.code);
          if (generated.status !== 408) expect(error.code).not.toBe('timeout');
          const expected = expectedCode(generated.status);
          // SMS Partner reads its body first on statuses below 500 other than 408/429 (its errors
          // arrive on 200 too), so only 429 and 5xx are fixed there.
          const fixed =
            store.provider === 'smspartner' &&
            (generated.status === 401 || generated.status === 403)
              ? undefined
              : expected;
          if (fixed)
            expect(error.code, `${store.provider} ${name} ${generated.status}`).toBe(fixed);
          // A success status with a body that is not the vendor's JSON is refused, not guessed at.
          if (generated.status < 300 && !looksLikeJsonObject(generated.body) && name !== 'delete') {
            // Notificore logs in first: a login answered 2xx without a `bearer` is `unauthorized`
            // (docs/providers/notificore.md, "Errors").
            const allowed =
              store.provider === 'notificore'
                ? ['invalid_response', 'not_found', 'unauthorized']
                : ['invalid_response', 'not_found'];
            expect(allowed, `${store.provider} ${name}`).toContain(error.code);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('oversized answers are refused: invalid_response, whatever the declared length', async () => {
    const huge = `{"success":true,"code":200,"contact":{"contactId":"1","phone":"+33612345678","firstname":"${'x'.repeat(11 * 1024 * 1024)}"}}`;
    for (const declared of [true, false]) {
      const streaming: typeof fetch = async () => {
        const bytes = new TextEncoder().encode(huge);
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let offset = 0; offset < bytes.length; offset += 1 << 20) {
              controller.enqueue(bytes.subarray(offset, offset + (1 << 20)));
            }
            controller.close();
          },
        });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (declared) headers['content-length'] = String(bytes.length);
        return new Response(body, { status: 200, headers });
      };
      for (const store of [
        createSmsPartnerContactStore({
          apiKey: 'key-123456',
          groupId: 'g1',
          ...quick,
          fetch: streaming,
        }),
        createCallbellContactStore({ apiToken: 'token-123456', ...quick, fetch: streaming }),
      ]) {
        await expect(
          store.get('1'),
          `${store.provider} declared=${declared}`,
        ).rejects.toMatchObject({
          code: 'invalid_response',
        });
      }
    }
  });
});

function looksLikeJsonObject(body: string): boolean {
  try {
    const value = JSON.parse(body);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}
