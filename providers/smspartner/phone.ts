import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { phoneFromVendor } from '../../src/phone.js';

/**
 * A phone number as SMS Partner returns it → E.164. The docs say `phone` is international with
 * `+`, but the vendor accepts French national numbers (`06…`) and `00` prefixes on write, so a
 * read value in those forms is read the same way rather than turned into a wrong `+06…`.
 */
export function phoneFromSmsPartner(value: string | number | null | undefined): string | undefined {
  if (typeof value === 'string') {
    const compact = value.replace(/[\s().-]/g, '');
    if (/^00\d+$/.test(compact)) return phoneFromVendor(compact.slice(2));
    if (/^0\d{9}$/.test(compact))
      return parsePhoneNumberFromString(compact, 'FR')?.number ?? compact;
  }
  return phoneFromVendor(value);
}
