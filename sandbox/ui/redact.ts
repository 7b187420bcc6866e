import { REDACTED, secretForms } from '../../src/redact.js';

/**
 * What the sandbox's page and `contact-sync sandbox --log` show of a request: every secret
 * replaced by `[redacted]` (API keys, tokens, bearer values, JWTs, webhook secrets and
 * signatures, by name and by shape), and phone numbers masked unless asked for.
 */

/** Names of headers, query parameters and JSON keys whose value is a secret. */
const SECRET_NAME =
  /api[-_]?key|apikey|token|secret|passw|authori[sz]ation|signature|jwt|bearer|credential|cookie|session/i;
/** Names under which a number is a phone number (Notificore keeps digits as a number). */
const PHONE_NAME = /phone|msisdn|mobile|^tel|number$/i;
/** A JWT: three base64url parts, the first an encoded JSON object. */
const JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[^\s",;]+/gi;
const WEBHOOK_SECRET = /whsec_[\w-]+/g;
/** A phone inside a longer text: `+` and 8–15 digits, or a French national 0X XX XX XX XX. */
const PHONE_IN_TEXT = /\+\d{8,15}(?!\d)|(?<!\d)0\d(?:[ .]?\d{2}){4}(?!\d)/g;
/** A whole value that is a phone number (digits with usual separators, 8–15 digits). */
const PHONE_VALUE = /^\+?[\d\s().-]{8,22}$/;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{2}[/.]\d{2}[/.]\d{4}/;

/** How to redact: the secrets known by value, and whether phone numbers stay readable. */
export interface RedactOptions {
  /** Secrets to remove wherever they appear, in every written form. */
  secrets: readonly string[];
  /** Show phone numbers as they are. Default false: masked. */
  phones?: boolean;
}

/** `+33612345678` → `+336•••••78`: the country code's first digits and the last two stay. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').length;
  let seen = 0;
  return phone.replace(/\d/g, (digit) => {
    seen += 1;
    return seen <= 3 || seen > digits - 2 ? digit : '•';
  });
}

function isPhoneValue(text: string): boolean {
  if (!PHONE_VALUE.test(text) || DATE_LIKE.test(text)) return false;
  const digits = text.replace(/\D/g, '').length;
  return digits >= 8 && digits <= 15;
}

/** Redacts one text: known secrets, JWTs, bearer values, `whsec_` secrets; masks phones. */
export function redactString(text: string, options: RedactOptions): string {
  let result = text;
  for (const form of forms(options.secrets)) result = result.split(form).join(REDACTED);
  result = result
    .replace(JWT, REDACTED)
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(WEBHOOK_SECRET, REDACTED);
  if (options.phones) return result;
  if (isPhoneValue(result)) return maskPhone(result);
  return result.replace(PHONE_IN_TEXT, maskPhone);
}

const formCache = new Map<string, string[]>();
function forms(secrets: readonly string[]): string[] {
  const cacheKey = secrets.join('\0');
  let cached = formCache.get(cacheKey);
  if (!cached) {
    cached = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
    if (formCache.size > 100) formCache.clear();
    formCache.set(cacheKey, cached);
  }
  return cached;
}

/** A deep copy of a JSON value, redacted: secret-named keys blanked, every string redacted. */
export function redactValue(value: unknown, options: RedactOptions, name = ''): unknown {
  if (name && SECRET_NAME.test(name) && value !== null && typeof value !== 'object') {
    return value === '' ? value : REDACTED;
  }
  if (typeof value === 'string') return redactString(value, options);
  if (typeof value === 'number' && !options.phones && PHONE_NAME.test(name)) {
    const text = String(value);
    return isPhoneValue(text) ? maskPhone(text) : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, options, name));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, options, key);
    return copy;
  }
  return value;
}

/** A body as text (JSON or not), redacted; JSON is pretty-printed. */
export function redactBody(text: string, options: RedactOptions): string {
  if (!text) return '';
  try {
    return JSON.stringify(redactValue(JSON.parse(text), options), null, 2);
  } catch {
    return redactString(text, options);
  }
}

/** Headers with secret-named ones blanked (the scheme of `Authorization` kept). */
export function redactHeaders(
  headers: Record<string, string | undefined>,
  options: RedactOptions,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (SECRET_NAME.test(name)) {
      const scheme = /^(Bearer|Basic|Token)\s/i.exec(value)?.[1];
      result[name] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      result[name] = redactString(value, options);
    }
  }
  return result;
}

/** A query string (`?a=b`), decoded and redacted, for reading; `''` stays `''`. */
export function redactQuery(query: string, options: RedactOptions): string {
  if (!query || query === '?') return '';
  const parts: string[] = [];
  for (const [name, value] of new URLSearchParams(query)) {
    const shown = SECRET_NAME.test(name) && value ? REDACTED : redactString(value, options);
    parts.push(`${name}=${shown}`);
  }
  return `?${parts.join('&')}`;
}

/** A path with any phone number in it masked (unless phones are shown) and secrets redacted. */
export function redactPath(path: string, options: RedactOptions): string {
  const decoded = safeDecode(path);
  const redacted = redactString(decoded, { ...options, phones: true });
  return options.phones ? redacted : redacted.replace(/\+?\d{8,15}/g, maskPhone);
}

/**
 * The route of a path, for counting: every segment that holds a digit or is 20 characters or
 * more (ids, uuids, phone numbers) becomes `:id`. `/api/contacts/42` → `/api/contacts/:id`.
 */
export function routeOf(path: string): string {
  return path
    .split('/')
    .map((segment) => (/\d|%/.test(segment) || segment.length >= 20 ? ':id' : segment))
    .join('/');
}

/**
 * The secrets a request carries by name (headers, query, JSON body) and those its answer hands
 * out (a login's token): what must be redacted wherever it reappears.
 */
export function secretsOf(
  headers: Record<string, string | undefined>,
  query: string,
  bodies: readonly string[],
): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value && SECRET_NAME.test(name)) found.push(value.replace(/^(Bearer|Basic|Token)\s+/i, ''));
  }
  for (const [name, value] of new URLSearchParams(query)) {
    if (value && SECRET_NAME.test(name)) found.push(value);
  }
  for (const body of bodies) {
    if (!body) continue;
    try {
      collect(JSON.parse(body), '', found);
    } catch {
      for (const [name, value] of new URLSearchParams(body)) {
        if (value && SECRET_NAME.test(name)) found.push(value);
      }
    }
  }
  return found;
}

function collect(value: unknown, name: string, found: string[]): void {
  if (typeof value === 'string' && value && SECRET_NAME.test(name)) found.push(value);
  else if (Array.isArray(value)) for (const item of value) collect(item, name, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collect(item, key, found);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
