import { describe, expect, it } from 'vitest';
import { type ContactStoreConfig, createContactStore } from '../../providers/registry.js';
import { redactDeep, redactText } from '../../src/redact.js';

/**
 * Secrets with the characters that encoders rewrite (`+`, `/`, `=`, a space): a vendor, a proxy or
 * an error message may hand them back URL-encoded or base64-encoded, and each form must go.
 */
const KEY = 'k+y/Secret== 42!';
const TOKEN = 'tok/en+CANARY=';

function encodings(secret: string): Record<string, string> {
  return {
    raw: secret,
    encodeURIComponent: encodeURIComponent(secret),
    'encodeURIComponent, lower-case escapes': encodeURIComponent(secret).replace(
      /%[0-9A-F]{2}/g,
      (percent) => percent.toLowerCase(),
    ),
    'form encoding (space as +)': new URLSearchParams({ k: secret }).toString().slice(2),
    encodeURI: encodeURI(secret),
    base64: Buffer.from(secret).toString('base64'),
    'base64 unpadded': Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    base64url: Buffer.from(secret).toString('base64url'),
  };
}

/** The part of a longer base64 value that only the secret determines (Basic `user:secret`). */
function basicAuth(user: string, secret: string): string {
  return Buffer.from(`${user}:${secret}`).toString('base64');
}

describe('every encoding of a secret is redacted', () => {
  it('redactText removes each form, alone and inside longer text', () => {
    for (const [name, form] of Object.entries(encodings(KEY))) {
      const text = redactText(`before ${form} after ?apiKey=${form}&x=1`, [KEY]);
      expect(text, name).not.toContain(form);
      expect(text, name).toContain('[redacted]');
    }
    expect(redactText('k%2By%2FSecret%3D%3D%2042!', [KEY])).not.toContain('Secret');
  });

  it('redactText removes the secret from a Basic authorization value at every alignment', () => {
    for (const user of ['a', 'ab', 'abc', 'user@example.test']) {
      const header = `Basic ${basicAuth(user, TOKEN)}`;
      const text = redactText(`sent authorization: ${header}`, [TOKEN]);
      expect(text, user).not.toContain(header.slice(6));
      const decoded = Buffer.from(text.split('Basic ')[1] ?? '', 'base64').toString('latin1');
      expect(decoded, user).not.toContain('CANARY');
    }
  });

  it('redactDeep replaces strings holding any form', () => {
    const value = {
      url: `https://api.example.test/x?apiKey=${encodeURIComponent(KEY)}`,
      nested: [{ header: `Bearer ${Buffer.from(TOKEN).toString('base64url')}` }],
      safe: 'nothing here',
    };
    expect(redactDeep(value, [KEY, TOKEN])).toEqual({
      url: '[redacted]',
      nested: [{ header: '[redacted]' }],
      safe: 'nothing here',
    });
  });

  it('a vendor echoing the request URL and body in every encoding leaks no form of the key', async () => {
    const messages: string[] = [];
    const echoing: typeof fetch = async (input, init) => {
      const request = input as Request;
      const body = init?.body ?? (request.body ? await request.text() : '');
      const echo = [request.url, String(body), ...Object.values(encodings(KEY))].join(' | ');
      return Response.json({ success: false, code: 9, message: echo }, { status: 400 });
    };
    const store = createContactStore({
      provider: 'smspartner',
      apiKey: KEY,
      groupId: 'g1',
      retry: false,
      fetch: echoing,
    } as ContactStoreConfig);
    for (const call of [
      () => store.get('1'),
      () => store.create({ phone: '+33612345678' }),
      () => store.findByPhone('+33612345678'),
    ]) {
      await call().then(
        () => expect.unreachable('the vendor answered 400'),
        (error: Error & { detail?: string; cause?: Error }) => {
          messages.push(error.message, String(error.detail), JSON.stringify(error));
          if (error.cause) messages.push(error.cause.message, String(error.cause.stack));
        },
      );
    }
    expect(messages.join('\n')).toContain('[redacted]');
    for (const text of messages) {
      for (const [name, form] of Object.entries(encodings(KEY))) {
        expect(text, name).not.toContain(form);
      }
      expect(text).not.toContain('Secret');
    }
  });
});
