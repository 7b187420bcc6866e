import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { commonOptionEntries, isAllowedBaseUrl, parseOptions } from '../../src/options.js';

const schema = v.strictObject({ ...commonOptionEntries, apiKey: v.string() });
const parse = (options: unknown) => parseOptions(schema, options, 'test');

describe('common options', () => {
  it('accepts a full set of options', () => {
    expect(() =>
      parse({
        apiKey: 'k',
        baseUrl: 'http://127.0.0.1:8080/v1',
        fieldMap: { company: 'custom1', firstName: 25964 },
        onUnmapped: 'error',
        defaultCountry: 'FR',
        timeout: 5000,
        retry: { retries: 2, minTimeout: 0, maxTimeout: 100, maxRetryAfter: 1000 },
        rateLimit: { requestsPerSecond: 5 },
        fetch: globalThis.fetch,
        hooks: { onRequest() {} },
      }),
    ).not.toThrow();
    expect(() => parse({ apiKey: 'k', retry: false, rateLimit: false })).not.toThrow();
  });

  it.each([
    [{ apiKey: 'k', baseUrl: 'http://api.example.com' }, 'baseUrl'],
    [{ apiKey: 'k', baseUrl: 'https://user:pw@api.example.com' }, 'baseUrl'],
    [{ apiKey: 'k', defaultCountry: 'France' }, 'defaultCountry'],
    [{ apiKey: 'k', timeout: -1 }, 'timeout'],
    [{ apiKey: 'k', retry: { retries: 1.5 } }, 'retry.retries'],
    [{ apiKey: 'k', retry: { tries: 1 } }, 'retry.tries'],
    [{ apiKey: 'k', rateLimit: { requestsPerSecond: 0 } }, 'rateLimit.requestsPerSecond'],
    [{ apiKey: 'k', onUnmapped: 'ignore' }, 'onUnmapped'],
    [{ apiKey: 'k', fieldMap: { company: '' } }, 'fieldMap.company'],
    [{ apiKey: 'k', hooks: { onRequest: 'x' } }, 'hooks.onRequest'],
    [{ apiKey: 'k', apikey: 'typo' }, 'apikey'],
    [{}, 'apiKey'],
  ])('throws invalid_config naming the option for %j', (options, path) => {
    expect(() => parse(options)).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path })],
      }),
    );
  });

  it('allows http only on loopback hosts', () => {
    expect(isAllowedBaseUrl('https://api.callbell.eu/v1')).toBe(true);
    expect(isAllowedBaseUrl('http://localhost:3000')).toBe(true);
    expect(isAllowedBaseUrl('http://127.0.0.1:3000/v1')).toBe(true);
    expect(isAllowedBaseUrl('http://[::1]:3000')).toBe(true);
    expect(isAllowedBaseUrl('http://10.0.0.1')).toBe(false);
    expect(isAllowedBaseUrl('http://localhost.evil.com')).toBe(false);
    expect(isAllowedBaseUrl('ftp://localhost')).toBe(false);
    expect(isAllowedBaseUrl('not a url')).toBe(false);
  });
});
