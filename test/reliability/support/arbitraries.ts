import fc from 'fast-check';

/**
 * Values no option or contact field expects: every JS type, odd objects included. (Objects whose
 * getters or proxy traps throw are tried in hardening.test.ts: fast-check cannot print them.)
 */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.constantFrom<unknown>(
    Symbol('junk'),
    () => 'a function',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    new Error('an error'),
    JSON.parse('{"__proto__":{"polluted":true}}'),
  ),
);

/** Strings worth trying where text goes: separators, escapes, control and surrogate chars. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    'prototype',
    '../..',
    '..',
    '.',
    '%2e%2e',
    'a/b?c#d',
    '%',
    '\u0000',
    '\uD800',
    '<html><body>500</body></html>',
    '$' + '{SECRET}',
    'x'.repeat(5000),
  ),
);

export const validPhone = fc.constantFrom(
  '+33612345678',
  '+33 6 12 34 56 78',
  '0612345678',
  '+4915123456789',
  '+14155552671',
  '+447911123456',
);

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, nastyString, junk);

/** Contact-shaped inputs, mostly wrong somewhere, sometimes right. */
export const contactLike: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      phone: maybe(validPhone),
      firstName: maybe(fc.string({ maxLength: 20 })),
      lastName: maybe(fc.string({ maxLength: 20 })),
      name: maybe(fc.string({ maxLength: 20 })),
      birthday: maybe(fc.constantFrom('1990-02-28', '1990-02-30', '2024-13-01', '')),
      url: maybe(fc.constantFrom('https://example.test/a', 'javascript:alert(1)', 'ftp://x')),
      tags: maybe(fc.array(nastyString, { maxLength: 4 })),
      customFields: maybe(fc.dictionary(nastyString, fc.oneof(nastyString, junk), { maxKeys: 4 })),
      assignedUser: maybe(fc.constantFrom(null, 'agent@example.test', 'not an email')),
      unknownKey: junk,
    },
    { requiredKeys: [] },
  ),
  junk,
);

/** Store-config-shaped inputs for every vendor. */
export const configLike: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      provider: maybe(fc.constantFrom('smspartner', 'callbell', 'notificore', 'hasOwnProperty')),
      apiKey: maybe(fc.constantFrom('key-123456', 'test_key-123456')),
      apiToken: maybe(fc.constant('token-123456')),
      groupId: maybe(fc.constant('group-1')),
      channelUuid: maybe(fc.constant('channel-1')),
      listIds: maybe(fc.array(fc.integer(), { maxLength: 3 })),
      pageSize: maybe(fc.integer()),
      baseUrl: maybe(
        fc.constantFrom(
          'https://api.example.test/v1',
          'http://127.0.0.1:1/v1',
          'http://api.example.test',
          'http://localhost.example.test',
          'https://user:pass@api.example.test',
          'javascript:alert(1)',
        ),
      ),
      fieldMap: maybe(fc.dictionary(nastyString, fc.oneof(nastyString, fc.integer()))),
      onUnmapped: maybe(fc.constantFrom('warn', 'error')),
      defaultCountry: maybe(fc.constantFrom('FR', 'fr', 'ZZ')),
      timeout: maybe(fc.integer()),
      retry: maybe(fc.oneof(fc.constant(false), fc.record({ retries: fc.integer() }))),
      rateLimit: maybe(fc.oneof(fc.constant(false), fc.record({ requestsPerSecond: fc.double() }))),
      hooks: maybe(fc.record({ onRequest: junk })),
      limiter: junk,
    },
    { requiredKeys: [] },
  ),
  junk,
);
