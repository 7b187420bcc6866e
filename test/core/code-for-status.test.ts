import { describe, expect, it } from 'vitest';
import { codeForStatus } from '../../src/http-wire.js';

describe('codeForStatus', () => {
  it.each([
    [201, 'invalid_response'],
    [204, 'invalid_response'],
    [400, 'invalid_input'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'not_found'],
    [408, 'timeout'],
    [409, 'conflict'],
    [422, 'invalid_input'],
    [429, 'rate_limited'],
    [418, 'provider_error'],
    [503, 'provider_error'],
  ])('maps %i to %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});
