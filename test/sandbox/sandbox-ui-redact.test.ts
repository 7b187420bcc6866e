import { describe, expect, it } from 'vitest';
import {
  maskPhone,
  redactBody,
  redactHeaders,
  redactPath,
  redactQuery,
  routeOf,
  secretsOf,
} from '../../sandbox/ui/redact.js';

const masked = { secrets: [] as string[] };

describe("the sandbox page's redaction", () => {
  it('masks a phone, keeping the first three digits and the last two', () => {
    expect(maskPhone('+33612345678')).toBe('+336••••••78');
    expect(maskPhone('33612345678')).toBe('336••••••78');
  });

  it('blanks secret-named keys at any depth, and JWTs, bearer values and whsec_ secrets anywhere', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const body = JSON.stringify({
      apiKey: 'k-123456',
      nested: { api_key: 'x', token: 't-9876', list: [{ secret: 's' }] },
      note: `got ${jwt} and Bearer abc.def and whsec_Zm9vYmFy`,
      password: '',
    });
    const out = redactBody(body, masked);
    expect(out).not.toMatch(/k-123456|t-9876|eyJ|abc\.def|whsec_Zm9v/);
    expect(JSON.parse(out)).toEqual({
      apiKey: '[redacted]',
      nested: { api_key: '[redacted]', token: '[redacted]', list: [{ secret: '[redacted]' }] },
      note: 'got [redacted] and Bearer [redacted] and [redacted]',
      password: '',
    });
  });

  it('removes a known secret wherever it appears, in its encoded forms too', () => {
    const secret = 'sandbox key/with+chars';
    const text = `a=${encodeURIComponent(secret)} b=${Buffer.from(secret).toString('base64')}`;
    expect(redactBody(text, { secrets: [secret] })).toBe('a=[redacted] b=[redacted]');
  });

  it('masks phone values and phones in text, but not dates, ids or counts', () => {
    const body = JSON.stringify({
      phone: 33612345678,
      phoneNumber: '+33612345678',
      identifier: '33 6 12 34 56 78',
      message: 'Contact +33612345678 (or 06 12 34 56 78) exists',
      created_at: '2026-12-07 20:38:03',
      id: 248452739,
      total: 12,
    });
    const out = JSON.parse(redactBody(body, masked));
    expect(out).toEqual({
      phone: '336••••••78',
      phoneNumber: '+336••••••78',
      identifier: '33 6 •• •• •• 78',
      message: 'Contact +336••••••78 (or 06 1• •• •• 78) exists',
      created_at: '2026-12-07 20:38:03',
      id: 248452739,
      total: 12,
    });
    const shown = JSON.parse(redactBody(body, { secrets: [], phones: true }));
    expect(shown.phoneNumber).toBe('+33612345678');
    expect(shown.phone).toBe(33612345678);
  });

  it('redacts headers by name, keeping the scheme, and query parameters by name', () => {
    expect(
      redactHeaders(
        { authorization: 'Bearer abc', 'x-callbell-signature': 't=1,v1=ff', accept: 'json' },
        masked,
      ),
    ).toEqual({
      authorization: 'Bearer [redacted]',
      'x-callbell-signature': '[redacted]',
      accept: 'json',
    });
    expect(redactQuery('?apiKey=abc&groupId=g&phoneNumber=%2B33612345678', masked)).toBe(
      '?apiKey=[redacted]&groupId=g&phoneNumber=+336••••••78',
    );
    expect(redactQuery('', masked)).toBe('');
  });

  it('masks phones in paths and counts ids as one route', () => {
    expect(redactPath('/contacts/phone/%2B33612345678', masked)).toBe(
      '/contacts/phone/+336••••••78',
    );
    expect(redactPath('/contacts/phone/33612345678', { secrets: [], phones: true })).toBe(
      '/contacts/phone/33612345678',
    );
    expect(routeOf('/api/contacts/248452739')).toBe('/api/contacts/:id');
    expect(routeOf('/contacts/febbaaaaccccddddeeeeffff00001111')).toBe('/contacts/:id');
    expect(routeOf('/contact/add')).toBe('/contact/add');
  });

  it('collects the secrets a request carries and its answer hands out', () => {
    expect(
      secretsOf({ authorization: 'Bearer tok-1', accept: 'x' }, '?apiKey=key-2&page=1', [
        '{"api_key":"key-3"}',
        '{"bearer":"jwt-4","data":{"name":"n"}}',
      ]),
    ).toEqual(['tok-1', 'key-2', 'key-3', 'jwt-4']);
  });
});
