// The full ("max") metadata knows each number's type; the library's own entries use the minimal
// metadata (which cannot tell a landline from a mobile) to stay within their size limits. Only
// the command line loads this, once per process.
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Warning } from '../src/contact.js';
import { isCountryCode } from '../src/phone.js';

/** The warning a fixed-line number gets at a vendor that sends SMS or WhatsApp messages. */
export const FIXED_LINE_WARNING: Warning = {
  field: 'phone',
  reason: 'fixed_line',
  message: 'a fixed-line number: SMS and WhatsApp messages cannot reach it',
};

/**
 * Whether `phone` is a fixed-line number (`01 …` to `05 …` in France): every shipped vendor sends
 * SMS or WhatsApp, which a landline cannot receive. A number libphonenumber-js calls
 * FIXED_LINE_OR_MOBILE (the United States) is not one; an invalid number is not either (the push
 * refuses it with its own reason).
 */
export function isFixedLine(phone: unknown, defaultCountry?: string): boolean {
  if (typeof phone !== 'string' || phone.length > 64) return false;
  const country =
    defaultCountry && isCountryCode(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(phone, country);
  return parsed?.isValid() === true && parsed.getType() === 'FIXED_LINE';
}
