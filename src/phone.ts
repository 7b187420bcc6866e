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
  const known = typeof phone === 'string' ? recall(phone, country) : undefined;
  if (known !== undefined) return known;
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
  remember(phone, country, parsed.number);
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
  const international = `+${digits}`;
  // Most answers echo a number this process has just normalized: no need to parse it again.
  if (recall(international, undefined) === international) return international;
  const parsed = parsePhoneNumberFromString(international);
  return parsed?.number ?? international;
}

/**
 * Numbers already parsed, input (with its default country) → E.164. Parsing costs tens of µs, and
 * one contact's number is read several times per call (validation by ContactSync, then by each
 * store, then in each vendor's answer): this makes it once. Only valid numbers are kept, and the
 * cache is emptied when full, so its memory stays bounded whatever the input size.
 */
const parsedNumbers = new Map<string, string>();
const PARSED_NUMBERS_MAX = 4096;

function recall(phone: string, country: string | undefined): string | undefined {
  return parsedNumbers.get(cacheKey(phone, country));
}

function remember(phone: string, country: string | undefined, e164: string): void {
  if (parsedNumbers.size >= PARSED_NUMBERS_MAX) parsedNumbers.clear();
  parsedNumbers.set(cacheKey(phone, country), e164);
  // An E.164 number is its own normal form, whatever the default country.
  parsedNumbers.set(cacheKey(e164, undefined), e164);
}

/** A number written with `+` reads the same in every default country. */
function cacheKey(phone: string, country: string | undefined): string {
  return `${phone.startsWith('+') ? '' : (country ?? '')}\u0000${phone}`;
}
