/** What replaces a secret wherever a request is shown. */
export const REDACTED = '[redacted]';

/** Phone-like runs of digits: what a vendor message may echo back. */
const PHONE_LIKE = /\+?\d[\d\s().-]{6,}\d/g;

/** Shorter values are not redacted: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Every written form a secret may take on its way into a message: as is, URL-encoded (a query
 * string writes a space as `%20` or `+`, and `encodeURIComponent` leaves `!'()*` alone where a
 * form encoder does not), and base64 and base64url (HTTP Basic auth, a token echoed in a header),
 * with and without padding. Percent escapes are matched in both letter cases.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const component = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const forms = new Set([
    secret,
    component,
    component.replaceAll('%20', '+'),
    form,
    encodeURI(secret),
    ...base64Forms(secret),
  ]);
  for (const encoded of [...forms]) {
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (percent) => percent.toLowerCase()));
  }
  return [...forms].filter((value) => value.length >= MIN_SECRET_LENGTH);
}

/**
 * The base64 and base64url text that only the secret's bytes determine, at each of the three
 * alignments it can have inside a longer encoded value (Basic auth encodes `user:secret`), plus
 * the whole encoding with its padding.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (const encoding of ['base64', 'base64url'] as const) {
    forms.push(bytes.toString(encoding));
    for (let offset = 0; offset < 3; offset++) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding);
      const start = Math.ceil((offset * 8) / 6);
      const end = Math.floor(((offset + bytes.length) * 8) / 6);
      forms.push(shifted.slice(start, end));
    }
  }
  return forms;
}

/** Every form of every secret, longest first so that no form is left half-replaced. */
function allForms(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
}

/**
 * Removes every secret (API keys, tokens, the phone numbers of the call, in every written form)
 * from a text, and any other run of digits long enough to be a phone number.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const form of allForms(secrets)) result = result.split(form).join(REDACTED);
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
  return redactWith(value, allForms(secrets));
}

function redactWith(value: unknown, forms: readonly string[]): unknown {
  if (typeof value === 'string') {
    return forms.some((form) => value.includes(form)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactWith(item, forms));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = redactWith(item, forms);
    return copy;
  }
  return value;
}
