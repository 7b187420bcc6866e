import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A phone shown on a terminal: the country code, the first national digit and the last two,
 * the rest as dots in the country's grouping (`+33 6•• •• •• 78`).
 */
export function maskPhone(phone: string): string {
  const parsed = parsePhoneNumberFromString(phone);
  const international = parsed?.formatInternational() ?? phone;
  const [country = '', ...groups] = international.split(' ');
  if (groups.length === 0) return `${phone.slice(0, 3)}••••${phone.slice(-2)}`;
  // "6 12 34 56 78" reads as "6•• •• •• 78": a one-digit first group joins the next.
  if ((groups[0] as string).length === 1 && groups.length > 2)
    groups.splice(0, 2, `${groups[0]}${groups[1]}`);
  const national = groups.join(' ');
  const digits = national.replace(/\D/g, '').length;
  let seen = 0;
  const masked = national.replace(/\d/g, (digit) => {
    seen += 1;
    return seen === 1 || seen > digits - 2 ? digit : '•';
  });
  return `${country} ${masked}`;
}
