/** What replaces a secret wherever a request is shown. */
export const REDACTED = '[redacted]';

/** Phone-like runs of digits: what a vendor message may echo back. */
const PHONE_LIKE = /\+?\d[\d\s().-]{6,}\d/g;

/**
 * Removes every secret (API keys, tokens, the phone numbers of the call, in every written form)
 * from a text, and any other run of digits long enough to be a phone number.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result.replace(PHONE_LIKE, REDACTED);
}

/** The written forms of a phone number a vendor or a URL may carry. */
export function phoneForms(phone: string | undefined): string[] {
  if (!phone) return [];
  const digits = phone.replace(/\D/g, '');
  return [phone, digits, encodeURIComponent(phone)];
}

/** A deep copy of a JSON value with every string equal to or containing a secret redacted. */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    return secrets.some((secret) => secret.length >= 4 && value.includes(secret))
      ? REDACTED
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = redactDeep(item, secrets);
    return copy;
  }
  return value;
}
