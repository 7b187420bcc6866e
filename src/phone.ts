import { type CountryCode, getCountries, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Warning } from './contact.js';
import { invalidInput } from './errors.js';

const COUNTRIES: ReadonlySet<string> = new Set(getCountries());

/** Options of {@link normalizePhone}. */
export interface NormalizePhoneOptions {
  /** ISO 3166 alpha-2 country for numbers written without a country code, e.g. `'FR'`. */
  defaultCountry?: string | undefined;
  /** Dotted path named in the error, default `phone`. */
  path?: string | undefined;
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

/** Text that may announce an extension (`ext. 12`, `x12`, `;ext=12`, `#12`): the cheap first test. */
const MAY_HAVE_EXTENSION = /[#;]|x|ext/i;

/**
 * The extension written after a phone number (`+33 6 12 34 56 78 ext. 12`, `x12`, `;ext=12`,
 * `#12`), or `undefined`. `normalizePhone` keeps the number and leaves the extension out; this
 * says what was left out. Never throws: a number that does not parse has no extension here.
 */
export function phoneExtension(
  phone: unknown,
  options: NormalizePhoneOptions = {},
): string | undefined {
  if (typeof phone !== 'string' || phone.length > 64 || !MAY_HAVE_EXTENSION.test(phone)) {
    return undefined;
  }
  const country =
    options.defaultCountry && isCountryCode(options.defaultCountry)
      ? options.defaultCountry
      : undefined;
  return parsePhoneNumberFromString(phone, country)?.ext || undefined;
}

/**
 * A number with its extension in the form `normalizePhone` reads back (RFC 3966,
 * `+33612345678;ext=12`), so that a layer that normalizes before the stores (ContactSync) does
 * not lose what each store has to warn about.
 */
export function withExtension(e164: string, extension: string | undefined): string {
  return extension ? `${e164};ext=${extension}` : e164;
}

/**
 * The warning a store puts on its result when the number carried an extension: no vendor here
 * has a field for one, so the number is stored without it. The message never holds the number.
 */
export function extensionWarnings(phone: unknown, options: NormalizePhoneOptions = {}): Warning[] {
  if (phoneExtension(phone, options) === undefined) return [];
  return [
    {
      field: options.path ?? 'phone',
      reason: 'ignored',
      message: 'the extension is not stored: the number is stored without it',
    },
  ];
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
