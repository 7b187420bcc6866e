import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A contact as the emulator keeps it (read-side names; `""` for unset, as the vendor returns). */
export interface EmulatedSmsPartnerContact {
  contactId: string;
  /** The group's token, as given to `contact/add`. */
  group: string;
  phone: string;
  firstname: string;
  lastname: string;
  url: string;
  shortUrl: string;
  date: string;
  custom1: string;
  custom2: string;
  custom3: string;
  custom4: string;
  createdAt: string;
  stopSms: boolean;
}

export type WritableValues = Partial<
  Pick<
    EmulatedSmsPartnerContact,
    | 'phone'
    | 'firstname'
    | 'lastname'
    | 'url'
    | 'shortUrl'
    | 'date'
    | 'custom1'
    | 'custom2'
    | 'custom3'
    | 'custom4'
  >
>;

export interface FieldError {
  elementId: string;
  message: string;
}

const TEXT_FIELDS = [
  'firstname',
  'lastname',
  'url',
  'date',
  'custom1',
  'custom2',
  'custom3',
  'custom4',
] as const;
const WRITABLE_KEYS = new Set<string>(['phoneNumber', 'shortUrlPartnr', ...TEXT_FIELDS]);

/** Keys of a write-side `contact` object that the vendor knows (others are ignored). */
export function knownKeys(contact: Record<string, unknown>): string[] {
  return Object.keys(contact).filter((key) => WRITABLE_KEYS.has(key));
}

/**
 * Checks a write-side `contact` object as SMS Partner documents it: `phoneNumber` French national
 * or international, names at most 32 characters, `date` YYYY-MM-DD, `url` http(s). Returns the
 * values to store (read-side names, phone in E.164) or code-9 errors.
 */
export function readWritableContact(contact: Record<string, unknown>): {
  values: WritableValues;
  errors: FieldError[];
} {
  const values: WritableValues = {};
  const errors: FieldError[] = [];
  const fail = (key: string, message: string) =>
    errors.push({ elementId: `contact[${key}]`, message });
  for (const key of knownKeys(contact)) {
    const value = contact[key];
    if (typeof value !== 'string') {
      fail(key, 'Cette valeur doit être une chaîne de caractères.');
      continue;
    }
    if (key === 'phoneNumber') {
      const parsed = parsePhoneNumberFromString(value, 'FR');
      if (parsed?.isValid()) values.phone = parsed.number;
      else fail(key, 'Le numéro de téléphone est invalide.');
    } else if (key === 'shortUrlPartnr') {
      values.shortUrl = value;
    } else if ((key === 'firstname' || key === 'lastname') && Array.from(value).length > 32) {
      fail(key, 'Cette valeur ne doit pas dépasser 32 caractères.');
    } else if (key === 'date' && value !== '' && !isCalendarDate(value)) {
      fail(key, 'La date doit être au format YYYY-MM-DD.');
    } else if (key === 'url' && value !== '' && !/^https?:\/\/\S+$/i.test(value)) {
      fail(key, "L'url doit commencer par http:// ou https://.");
    } else {
      values[key as (typeof TEXT_FIELDS)[number]] = value;
    }
  }
  return { values, errors };
}

/** The contact as `contact/detail` (with `groupId`, a number) and `contact/list` return it. */
export function readSide(contact: EmulatedSmsPartnerContact, groupNumber?: number) {
  const { group: _group, ...fields } = contact;
  return groupNumber === undefined ? fields : { ...fields, groupId: groupNumber };
}

/** The echo of a write: the fields sent, as sent, and the id. */
export function echoOf(contact: Record<string, unknown>, contactId: string) {
  const echo: Record<string, unknown> = {};
  for (const key of knownKeys(contact)) echo[key] = contact[key];
  return { ...echo, contactId };
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
