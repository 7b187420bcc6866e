import { createHash } from 'node:crypto';
import type { ContactPatch } from './contact.js';

/**
 * Bumped when the fingerprint's own recipe changes (what it hashes, how it normalizes): every
 * stored fingerprint then differs from a new one, so each link is sent once more and gets a new one.
 */
export const FINGERPRINT_VERSION = 1;

/**
 * The fingerprint of what a store would hold from one input (design §13): a hash of the store's
 * projection of it (the fields it sends, in the common model) made canonical — keys sorted, tags
 * sorted and deduplicated, custom fields by sorted key, absent and `undefined` members dropped —
 * with the provider and `mapping`, the adapter's version of the options that change what is sent
 * (its `fieldMap`, `listIds`, …). Two inputs a store would send alike have one fingerprint; a
 * change of the mapping changes every fingerprint, so the next push resends.
 *
 * Not reversible to a phone without the rest of the contact, but not a secret either:
 * `ContactSync` keys it with the link store's secret before keeping it (see `keyedFingerprint`).
 */
export function fingerprintOf(
  provider: string,
  projection: ContactPatch,
  mapping?: unknown,
): string {
  const material = canonical([
    FINGERPRINT_VERSION,
    provider,
    normalized(projection),
    mapping ?? null,
  ]);
  return createHash('sha256').update(material).digest('base64url');
}

/** The projection with tags as a sorted set; other members as they are (canonical sorts keys). */
function normalized(projection: ContactPatch): unknown {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(projection)) {
    if (value === undefined) continue;
    out[name] = name === 'tags' && Array.isArray(value) ? [...new Set(value)].sort() : value;
  }
  return out;
}

/** JSON with object keys sorted at every depth and `undefined` members dropped. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonical(member)}`).join(',')}}`;
}
