import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isContactSyncError } from '../../src/errors.js';
import { normalizePhone, phoneFromVendor } from '../../src/phone.js';

describe('normalizePhone', () => {
  it('returns E.164 for international numbers in common formats', () => {
    for (const written of [
      '+33612345678',
      '+33 6 12 34 56 78',
      '+33 (0)6-12-34-56-78',
      '0033612345678',
    ]) {
      expect(normalizePhone(written, { defaultCountry: 'FR' })).toBe('+33612345678');
    }
  });

  it('reads national numbers with defaultCountry', () => {
    expect(normalizePhone('06 12 34 56 78', { defaultCountry: 'FR' })).toBe('+33612345678');
    expect(normalizePhone('030 1234567', { defaultCountry: 'DE' })).toBe('+49301234567');
  });

  it('rejects a national number without defaultCountry, naming the option, not the number', () => {
    const error = (() => {
      try {
        return normalizePhone('0612345678');
      } catch (caught) {
        return caught;
      }
    })() as Error & { code: string; issues: { path: string; message: string }[] };
    expect(isContactSyncError(error)).toBe(true);
    expect(error.code).toBe('invalid_input');
    expect(error.issues[0]?.path).toBe('phone');
    expect(error.message).toContain('defaultCountry');
    expect(error.message).not.toContain('0612345678');
  });

  it('rejects invalid numbers and non-strings with invalid_input', () => {
    for (const value of ['', 'abc', '+1', '+33 12', 'x'.repeat(100), 42, null]) {
      expect(() => normalizePhone(value as string, { defaultCountry: 'FR' })).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
  });

  it('never throws anything but a ContactSyncError', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(undefined, 'FR', 'US', 'XX'), (text, country) => {
        try {
          const result = normalizePhone(text, { defaultCountry: country });
          expect(result).toMatch(/^\+\d{6,15}$/);
        } catch (error) {
          expect(isContactSyncError(error)).toBe(true);
        }
      }),
    );
  });
});

describe('phoneFromVendor', () => {
  it('reads digits, spaced and numeric forms into E.164', () => {
    expect(phoneFromVendor('33612345678')).toBe('+33612345678');
    expect(phoneFromVendor(33612345678)).toBe('+33612345678');
    expect(phoneFromVendor('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(phoneFromVendor('')).toBeUndefined();
    expect(phoneFromVendor(null)).toBeUndefined();
  });
});
