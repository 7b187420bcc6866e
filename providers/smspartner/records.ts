import type { SmsPartnerRecord } from './api.js';
import { phoneFromSmsPartner } from './phone.js';

/** The echo of a write (write-side names) as the read side names it, for the index. */
export function readSideOf(echo: SmsPartnerRecord): SmsPartnerRecord {
  const { phoneNumber, ...rest } = echo as SmsPartnerRecord & { phoneNumber?: string };
  return { ...rest, phone: phoneFromSmsPartner(phoneNumber ?? rest.phone) };
}

export function rawContact(body: unknown): unknown {
  return (body as { contact?: unknown }).contact;
}

/** The keys of a parsed record that hold a value. */
export function present<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined && value !== null),
  ) as Partial<T>;
}
