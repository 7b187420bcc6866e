import { type CountryCode, getCountries, parsePhoneNumberFromString } from 'libphonenumber-js';
import { invalidInput } from './errors.js';

const COUNTRIES: ReadonlySet<string> = new Set(getCountries());

export interface NormalizePhoneOptions {
  /** ISO 3166 alpha-2 country for numbers written without a country code, e.g. `'FR'`. */
  defaultCountry?: string;
  /** Dotted path named in the error, default `phone`. */
  path?: string;
}

/** True when `value` is an ISO 3166 alpha-2 code that libphonenumber-js knows. */
export function isCountryCode(value: string): value is CountryCode {
  return COUNTRIES.has(value);
}

/**
 * Parses a phone number written in any common format and returns it in E.164 (`+33612345678`).
 * Throws `invalid_input` naming the field (never the number) when it cannot be parsed or is not a
 * valid number; a national number needs `defaultCountry`.
 */
export function normalizePhone(phone: string, options: NormalizePhoneOptions = {}): string {
  const path = options.path ?? 'phone';
  const country =
    options.defaultCountry && isCountryCode(options.defaultCountry)
      ? options.defaultCountry
      : undefined;
  const parsed =
    typeof phone === 'string' && phone.length <= 64
      ? parsePhoneNumberFromString(phone, country)
      : undefined;
  if (!parsed) {
    const hint =
      typeof phone === 'string' && !phone.trim().startsWith('+') && !country
        ? ' (a national number needs the defaultCountry option)'
        : '';
    throw invalidInput([{ path, message: `not a phone number${hint}` }]);
  }
  if (!parsed.isValid()) {
    throw invalidInput([{ path, message: 'not a valid phone number for its country' }]);
  }
  return parsed.number;
}

/**
 * Reads a phone number as a vendor returned it (`33612345678`, `+33 6 12 34 56 78`, a JSON number)
 * into E.164. Vendor data is never rejected here: what cannot be parsed keeps its digits behind `+`.
 */
export function phoneFromVendor(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const text = String(value).trim();
  const digits = text.replace(/\D/g, '');
  if (!digits) return undefined;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed?.number ?? `+${digits}`;
}
