import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ContactSyncError, isContactSyncError } from '../../src/errors.js';
import {
  createHttpClient,
  type HttpClientOptions,
  type HttpResponse,
  parseRetryAfter,
  pathSegment,
} from '../../src/http.js';
import { resolveRetryPolicy } from '../../src/retry.js';
import { useStrictNock } from '../support/strict-nock.js';

const ORIGIN = 'https://api.example.test';
const client = (options: Partial<HttpClientOptions> = {}) =>
  createHttpClient({
    provider: 'example',
    baseUrl: `${ORIGIN}/v1`,
    timeout: 500,
    retry: resolveRetryPolicy({ retries: 2, minTimeout: 0, maxTimeout: 0 }),
    secrets: () => ['sk_live_secret'],
    ...options,
  });
const spec = { operation: 'get', method: 'GET' as const, path: 'contacts/1', route: '/contacts/…' };
const json = (response: { body: unknown }) => response.body;
const asError = (caught: unknown) => caught as ContactSyncError;
const unexpected = (): never => {
  throw new Error('expected a rejection');
};

useStrictNock();

describe('createHttpClient', () => {
  it('sends JSON with the static and authorization headers, and parses the answer', async () => {
    nock(ORIGIN, {
      reqheaders: { authorization: 'Bearer t', 'x-static': '1', accept: 'application/json' },
    })
      .post('/v1/contacts', { name: 'A' })
      .query({ page: '2' })
      .reply(201, { id: 7 });
    const http = client({
      headers: { 'x-static': '1' },
      authorize: async () => ({ authorization: 'Bearer t' }),
    });
    const body = await http.request(
      {
        ...spec,
        method: 'POST',
        path: 'contacts',
        query: { page: 2, skip: undefined },
        json: { name: 'A' },
      },
      json,
    );
    expect(body).toEqual({ id: 7 });
  });

  it('retries what interpret marks retryable, and stops on what it does not', async () => {
    nock(ORIGIN).get('/v1/contacts/1').reply(503).get('/v1/contacts/1').reply(200, { ok: true });
    const http = client();
    const retried = await http.request(spec, (response) => {
      if (response.status >= 500) throw http.failure(response, spec);
      return response.body;
    });
    expect(retried).toEqual({ ok: true });

    nock(ORIGIN).get('/v1/contacts/1').reply(422, { message: 'bad' });
    const error = await http
      .request(spec, (response) => {
        throw http.failure(response, spec);
      })
      .then(unexpected, asError);
    expect(error).toMatchObject({ code: 'invalid_input', status: 422, retryable: false });
    expect(error.message).toBe(
      '[contact-sync] [example] get failed: invalid_input (422, GET /contacts/…): bad',
    );
  });

  it('turns a dropped connection into a retryable network error', async () => {
    nock(ORIGIN)
      .get('/v1/contacts/1')
      .times(3)
      .replyWithError({ code: 'ECONNRESET', message: 'reset for sk_live_secret' });
    const error = await client().request(spec, json).then(unexpected, asError);
    expect(isContactSyncError(error)).toBe(true);
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
    expect(String(error.cause)).not.toContain('sk_live_secret');
  });

  it('turns a slow answer into a timeout per attempt', async () => {
    nock(ORIGIN).get('/v1/contacts/1').delay(300).reply(200, {});
    const error = await client({ timeout: 50, retry: resolveRetryPolicy(false) })
      .request(spec, json)
      .then(unexpected, asError);
    nock.abortPendingRequests();
    expect(error.code).toBe('timeout');
  });

  it('rejects aborted when the signal fires', async () => {
    nock(ORIGIN).get('/v1/contacts/1').delay(300).reply(200, {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await client()
      .request({ ...spec, signal: controller.signal }, json)
      .then(unexpected, asError);
    nock.abortPendingRequests();
    expect(error.code).toBe('aborted');
    expect(error.retryable).toBe(false);
  });

  it('renews the credentials once after a 401', async () => {
    let logins = 0;
    nock(ORIGIN)
      .get('/v1/contacts/1')
      .matchHeader('authorization', 'Bearer old')
      .reply(401)
      .get('/v1/contacts/1')
      .matchHeader('authorization', 'Bearer new')
      .reply(200, { id: 1 });
    let token = 'old';
    const http = client({
      authorize: async ({ refresh }) => {
        if (refresh) {
          logins += 1;
          token = 'new';
        }
        return { authorization: `Bearer ${token}` };
      },
    });
    expect(await http.request(spec, json)).toEqual({ id: 1 });
    expect(logins).toBe(1);
  });

  it('emits hook events without secrets, and survives a throwing hook', async () => {
    nock(ORIGIN)
      .get('/v1/contacts/1')
      .query(true)
      .reply(500)
      .get('/v1/contacts/1')
      .query(true)
      .reply(200, {});
    const events: unknown[] = [];
    const http = client({
      hooks: {
        onRequest: (event) => {
          events.push(event);
          throw new Error('hook bug');
        },
        onResponse: (event) => events.push(event),
        onRetry: (event) => events.push(event),
      },
    });
    const query = { apiKey: 'sk_live_secret' };
    await http.request({ ...spec, query }, (response) => {
      if (response.status >= 500) throw http.failure(response, spec);
    });
    expect(events).toHaveLength(5);
    expect(events[2]).toMatchObject({ code: 'provider_error', status: 500, attempt: 1 });
    expect(JSON.stringify(events)).not.toContain('sk_live_secret');
  });

  it('waits on a shared limiter before every attempt when one is given', async () => {
    nock(ORIGIN).get('/v1/contacts/1').reply(503).get('/v1/contacts/1').reply(200, {});
    let acquired = 0;
    const limiter = {
      acquire: async () => {
        acquired += 1;
      },
      pauseUntil: () => undefined,
    };
    const http = client({ limiter });
    await http.request(spec, (response) => {
      if (response.status >= 500) throw http.failure(response, spec);
    });
    expect(acquired).toBe(2);
    expect(http.limiter).toBe(limiter);
  });

  it('retries when a shared limiter fails, and reports aborted only for an aborted call', async () => {
    nock(ORIGIN).get('/v1/contacts/1').reply(200, { ok: true });
    let calls = 0;
    const limiter = {
      acquire: async () => {
        calls += 1;
        if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
      pauseUntil: () => undefined,
    };
    expect(await client({ limiter }).request(spec, json)).toEqual({ ok: true });
    const broken = { acquire: async () => Promise.reject(new Error('down')), pauseUntil: () => {} };
    const error = await client({ limiter: broken, retry: resolveRetryPolicy(false) })
      .request(spec, json)
      .then(unexpected, asError);
    expect(error).toMatchObject({ code: 'provider_error', retryable: true });
  });

  it('previews a request with secrets redacted in the URL, headers and body', () => {
    const http = client({ authorize: async () => ({ authorization: 'Bearer x' }) });
    const preview = http.preview({
      ...spec,
      method: 'POST',
      path: 'contact/add',
      query: { apiKey: 'sk_live_secret' },
      json: { apiKey: 'sk_live_secret', contact: { phoneNumber: '+33612345678' } },
    });
    expect(preview).toEqual({
      method: 'POST',
      url: `${ORIGIN}/v1/contact/add?apiKey=[redacted]`,
      headers: {
        accept: 'application/json',
        authorization: '[redacted]',
        'content-type': 'application/json',
      },
      body: { apiKey: '[redacted]', contact: { phoneNumber: '+33612345678' } },
    });
  });

  it('reads an oversized body as empty instead of buffering it', async () => {
    nock(ORIGIN).get('/v1/contacts/1').reply(200, 'x'.repeat(2048));
    const response = await client({ maxResponseBytes: 1024 }).send(spec);
    expect(response.text).toBe('');
    expect(response.body).toBeUndefined();
  });
});

describe('a request that is not idempotent (a create)', () => {
  const create = {
    operation: 'create',
    method: 'POST' as const,
    path: 'contacts',
    route: '/contacts',
  };
  const created = (response: { status: number; body: unknown }) => {
    if (response.status === 409) {
      throw new ContactSyncError({ code: 'conflict', provider: 'example', operation: 'create' });
    }
    return response.body;
  };

  it('is sent once more only after asking what the lost attempt stored (lookFirst)', async () => {
    nock(ORIGIN).post('/v1/contacts').replyWithError({ code: 'ECONNRESET', message: 'lost' });
    const asked: number[] = [];
    const result = await client().request(
      {
        ...create,
        recovery: {
          lookFirst: true,
          find: async () => {
            asked.push(1);
            return { adopted: true };
          },
        },
      },
      created,
    );
    // One POST only: the second attempt found the contact instead of sending again.
    expect(result).toEqual({ adopted: true });
    expect(asked).toEqual([1]);
  });

  it('resolves the conflict met after a lost attempt, but not a conflict on a first attempt', async () => {
    nock(ORIGIN)
      .post('/v1/contacts')
      .reply(503)
      .post('/v1/contacts')
      .reply(409, { message: 'already exists' });
    let asked = 0;
    const recovery = {
      lookFirst: false,
      find: async () => {
        asked += 1;
        return { adopted: true };
      },
    };
    const http = client();
    const interpret = (response: HttpResponse) => {
      if (response.status >= 500) throw http.failure(response, create);
      return created(response);
    };
    expect(await http.request({ ...create, recovery }, interpret)).toEqual({ adopted: true });
    expect(asked).toBe(1);

    nock(ORIGIN).post('/v1/contacts').reply(409, { message: 'already exists' });
    const error = await http.request({ ...create, recovery }, interpret).then(unexpected, asError);
    expect(error.code).toBe('conflict');
    expect(asked).toBe(1);
  });
});

describe('redirects', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`never follows a ${status}: invalid_response naming the status, not the Location`, async () => {
      // Strict nock: a request to the Location would fail the test as an unexpected one.
      nock(ORIGIN)
        .get('/v1/contacts/1')
        .query(true)
        .reply(status, '', { location: 'https://elsewhere.example.test/steal?x=1' });
      const error = await client()
        .request({ ...spec, query: { apiKey: 'sk_live_secret' } }, json)
        .then(unexpected, asError);
      expect(error).toMatchObject({ code: 'invalid_response', status, retryable: false });
      expect(error.message).toBe(
        `[contact-sync] [example] get failed: invalid_response (${status}, GET /contacts/…): the vendor answered with a redirect, which is never followed`,
      );
    });
  }
});

describe('helpers', () => {
  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    expect(parseRetryAfter(inTwoSeconds)).toBeGreaterThan(500);
  });

  it('encodes ids so they cannot leave their path segment', () => {
    expect(pathSegment('a/b?c#d')).toBe('a%2Fb%3Fc%23d');
    expect(pathSegment(42)).toBe('42');
    // URL parsers read %2E%2E as `..` (the parent endpoint): dot segments cannot be encoded.
    expect(new URL('https://x.test/v1/contacts/%2E%2E').pathname).toBe('/v1/');
    for (const id of ['..', '.', '', '\uD800']) {
      expect(() => pathSegment(id)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });
});
