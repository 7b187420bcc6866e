import { createServer } from 'node:net';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { type ContactSyncError, isContactSyncError } from '../../src/errors.js';
import { createHttpClient, type HttpClientOptions } from '../../src/http.js';
import { resolveRetryPolicy } from '../../src/retry.js';
import { useStrictNock } from '../support/strict-nock.js';
import { waitFor } from '../support/wait-for.js';

const ORIGIN = 'https://api.example.test';
const spec = { operation: 'get', method: 'GET' as const, path: 'contacts/1', route: '/contacts/…' };
const client = (options: Partial<HttpClientOptions> = {}) =>
  createHttpClient({
    provider: 'example',
    baseUrl: `${ORIGIN}/v1`,
    timeout: 2000,
    retry: resolveRetryPolicy(false),
    secrets: () => ['sk_live_secret'],
    ...options,
  });

/** Each answer's status becomes the result, or a 5xx a retryable error. */
const interpret = (http: ReturnType<typeof client>) => (response: { status: number }) => {
  if (response.status >= 500) throw http.failure(response as never, spec);
  return response.status;
};

async function failure(promise: Promise<unknown>): Promise<ContactSyncError> {
  try {
    await promise;
  } catch (error) {
    if (isContactSyncError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('circuit breaker', () => {
  useStrictNock();

  it('opens after `failures` 5xx in a row and then fails at once, sending nothing', async () => {
    nock(ORIGIN).get('/v1/contacts/1').times(3).reply(503);
    const http = client({ breaker: { failures: 3, cooldownMs: 60_000 } });
    for (let i = 0; i < 3; i += 1) {
      expect((await failure(http.request(spec, interpret(http)))).code).toBe('provider_error');
    }
    expect(http.breaker?.state).toBe('open');
    // nock would refuse a fourth request: none is sent.
    const open = await failure(http.request(spec, interpret(http)));
    expect(open.code).toBe('provider_unavailable');
    expect(open.retryable).toBe(true);
    expect(open.retryAfterMs).toBeGreaterThan(50_000);
    expect(open.message).toContain('cannot reach example at api.example.test: answered 503');
    expect(open.message).not.toContain('sk_live_secret');
  });

  it('an answer that is not a 5xx resets the count', async () => {
    nock(ORIGIN)
      .get('/v1/contacts/1')
      .times(2)
      .reply(503)
      .get('/v1/contacts/1')
      .reply(404)
      .get('/v1/contacts/1')
      .times(2)
      .reply(503)
      .get('/v1/contacts/1')
      .reply(200);
    const http = client({ breaker: { failures: 3, cooldownMs: 60_000 } });
    const results: unknown[] = [];
    for (let i = 0; i < 6; i += 1) {
      results.push(await http.request(spec, interpret(http)).catch((error) => error.code));
    }
    expect(results).toEqual([
      'provider_error',
      'provider_error',
      404,
      'provider_error',
      'provider_error',
      200,
    ]);
    expect(http.breaker?.state).toBe('closed');
  });

  it('after the cooldown one probe goes through: a failure reopens, an answer closes', async () => {
    nock(ORIGIN).get('/v1/contacts/1').times(3).reply(502);
    const http = client({ breaker: { failures: 2, cooldownMs: 50 } });
    await failure(http.request(spec, interpret(http)));
    await failure(http.request(spec, interpret(http)));
    expect(http.breaker?.state).toBe('open');
    await waitFor(async () => {
      const error = await failure(http.request(spec, interpret(http)));
      return error.code === 'provider_error';
    }, 'the probe after the cooldown');
    // The probe failed: open again, for a new cooldown.
    expect(http.breaker?.state).toBe('open');
    expect((await failure(http.request(spec, interpret(http)))).code).toBe('provider_unavailable');
    nock(ORIGIN).get('/v1/contacts/1').delay(100).reply(200).get('/v1/contacts/1').reply(200);
    await waitFor(() => http.breaker?.state === 'open' && !isBlocked(http), 'the cooldown');
    const probe = http.request(spec, interpret(http));
    // While the probe is out, the other calls still fail at once.
    await waitFor(() => http.breaker?.state === 'probing', 'the probe to leave');
    expect((await failure(http.request(spec, interpret(http)))).code).toBe('provider_unavailable');
    expect(await probe).toBe(200);
    expect(http.breaker?.state).toBe('closed');
    expect(await http.request(spec, interpret(http))).toBe(200);
  });

  it('retries inside a call stop as soon as the breaker opens', async () => {
    nock(ORIGIN).get('/v1/contacts/1').times(2).reply(500);
    const http = client({
      retry: resolveRetryPolicy({ retries: 5, minTimeout: 0, maxTimeout: 0 }),
      breaker: { failures: 2 },
    });
    const error = await failure(http.request(spec, interpret(http)));
    expect(error.code).toBe('provider_unavailable');
    expect(nock.isDone()).toBe(true);
  });

  it('`breaker: false` never opens', async () => {
    nock(ORIGIN).get('/v1/contacts/1').times(12).reply(503);
    const http = client({ breaker: false });
    for (let i = 0; i < 12; i += 1) {
      expect((await failure(http.request(spec, interpret(http)))).code).toBe('provider_error');
    }
    expect(http.breaker).toBeUndefined();
  });

  it('a bad breaker option is invalid_config naming it, before any request', () => {
    for (const breaker of [{ failures: 0 }, { cooldownMs: -1 }, { failures: 1.5 }, true]) {
      let caught: unknown;
      try {
        createContactStore({ provider: 'callbell', apiToken: 't', breaker } as never);
      } catch (error) {
        caught = error;
      }
      expect(isContactSyncError(caught) && caught.code).toBe('invalid_config');
      expect((caught as ContactSyncError).issues?.[0]?.path).toMatch(/^breaker/);
    }
  });
});

describe('a vendor that cannot be reached', () => {
  it('names the vendor, its host and the cause; then the breaker fails fast', async () => {
    // Only the loopback: the closed port is the point of the test.
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const port = await closedPort();
    const store = createContactStore({
      provider: 'callbell',
      apiToken: 'cb_secret_token',
      baseUrl: `http://127.0.0.1:${port}`,
      retry: false,
      rateLimit: false,
      breaker: { failures: 3, cooldownMs: 60_000 },
    });
    const phone = '+33612345678';
    const first = await failure(store.upsert({ phone, firstName: 'Jeanne' }));
    expect(first.code).toBe('network');
    expect(first.message).toContain(
      `cannot reach callbell at 127.0.0.1:${port}: connection refused`,
    );
    for (let i = 0; i < 2; i += 1) await failure(store.get('42'));
    const fast = await failure(store.upsert({ phone, firstName: 'Jeanne' }));
    expect(fast.code).toBe('provider_unavailable');
    expect(fast.message).toContain(
      `cannot reach callbell at 127.0.0.1:${port}: connection refused`,
    );
    for (const error of [first, fast]) {
      expect(JSON.stringify(error)).not.toMatch(/612345678|cb_secret_token/);
    }
    nock.enableNetConnect();
  });
});

function isBlocked(http: ReturnType<typeof client>): boolean {
  try {
    http.breaker?.check('get');
    return false;
  } catch {
    return true;
  }
}
