import { createHash, createHmac } from 'node:crypto';
import { checkedWritesOf } from '../checked-writes.js';
import type { ContactInput, Warning } from '../contact.js';
import type { ContactStore } from '../contact-store.js';
import { invalidConfig } from '../errors.js';
import { fingerprintOf } from '../fingerprint.js';
import type { LinkState, LinkStore } from './link-store.js';

/**
 * When a push reads the vendor although the remembered fingerprint matches (design §13):
 * `'never'` trusts the state (a match sends nothing), `'always'` reads and compares every linked
 * contact (the behaviour before sync state), `{ olderThanMs }` reads each link once per period of
 * that length, at a point of the period set by its key, so a nightly job with seven days reads
 * about a seventh of the contacts each night and every one of them once a week.
 */
export type Verify =
  | 'never'
  | 'always'
  | {
      /** Read each link once per period of this many milliseconds (7 days: `604800000`). */
      olderThanMs: number;
    };

/** Checks a `verify` option; throws `invalid_config` naming `path`. */
export function parseVerify(value: unknown, path = 'verify'): Verify {
  if (value === undefined) return 'never';
  if (value === 'never' || value === 'always') return value;
  if (typeof value === 'object' && value !== null) {
    const { olderThanMs, ...rest } = value as { olderThanMs?: unknown };
    if (
      Object.keys(rest).length === 0 &&
      typeof olderThanMs === 'number' &&
      Number.isSafeInteger(olderThanMs) &&
      olderThanMs > 0
    ) {
      return { olderThanMs };
    }
  }
  throw invalidConfig([
    {
      path,
      message: "expected 'never', 'always' or { olderThanMs: a positive whole number of ms }",
    },
  ]);
}

/** The state-keeping half of a link store, when it has it (`getState` and `setState`). */
export type StateLinks = LinkStore & Required<Pick<LinkStore, 'getState' | 'setState'>>;

export function hasState(links: LinkStore): links is StateLinks {
  return typeof links.getState === 'function' && typeof links.setState === 'function';
}

/** The secret that keys fingerprints and tombstones: the caller's, or the link store's own. */
export function secretSource(links: LinkStore): () => Promise<string | undefined> {
  let secret: Promise<string | undefined> | undefined;
  return () => {
    if (!secret) {
      const asked =
        typeof links.tombstoneSecret === 'function'
          ? links.tombstoneSecret()
          : Promise.resolve(undefined);
      secret = asked;
      // A failed read is asked again next time, not remembered.
      asked.catch(() => {
        if (secret === asked) secret = undefined;
      });
    }
    return secret;
  };
}

/**
 * What a link keeps as its fingerprint: the store's fingerprint keyed with the link store's
 * secret (HMAC-SHA-256), so the stored value cannot be checked against a guessed phone; the bare
 * fingerprint where the link store has no secret.
 */
export function keyed(fingerprint: string, secret: string | undefined): string {
  if (secret === undefined) return fingerprint;
  return createHmac('sha256', secret).update(`fingerprint:${fingerprint}`).digest('base64url');
}

/**
 * The fingerprint `store` gives `input`, with the warnings a write would carry; `undefined` when
 * the store cannot plan it (the write then fails the same way, on its own path).
 */
export function storeFingerprint(
  store: ContactStore,
  input: ContactInput,
): { fingerprint: string; warnings: Warning[] } | undefined {
  try {
    const checked = checkedWritesOf(store);
    if (checked) return checked.fingerprint(input);
    if (typeof store.fingerprint === 'function') {
      const fingerprint = store.fingerprint(structuredClone(input));
      return typeof fingerprint === 'string' && fingerprint !== ''
        ? { fingerprint, warnings: [] }
        : undefined;
    }
    // A store of your own without `fingerprint`: the whole normalized input stands for it.
    return { fingerprint: fingerprintOf(store.provider, input), warnings: [] };
  } catch {
    return undefined;
  }
}

/** Whether a link whose fingerprint matches must still be read (see {@link Verify}). */
export function mustVerify(key: string, state: LinkState, verify: Verify, now: number): boolean {
  if (verify === 'never') return false;
  if (verify === 'always') return true;
  const verifiedAt = state.verifiedAt === undefined ? Number.NaN : Date.parse(state.verifiedAt);
  if (!Number.isFinite(verifiedAt) || verifiedAt > now) return true;
  const period = verify.olderThanMs;
  if (now - verifiedAt >= period) return true;
  // Each key's periods start at its own offset: it is due once it crosses into a new period.
  const offset = phaseOf(key, period);
  return Math.floor((now - offset) / period) > Math.floor((verifiedAt - offset) / period);
}

/** A point in [0, period) fixed by `key`. */
function phaseOf(key: string, period: number): number {
  const digest = createHash('sha256').update(key).digest();
  return digest.readUInt32BE(0) % period;
}

/**
 * The tombstone hashes of an erased key or phone: HMAC-SHA-256 with the secret, so the store
 * holds neither the key nor the phone, and no one without the secret can test a guess.
 */
export function tombstoneOf(
  secret: string,
  kind: 'key' | 'phone' | 'whatsappUserId',
  value: string,
): string {
  return createHmac('sha256', secret).update(`${kind}:${value}`).digest('base64url');
}

/** The tombstones that erase `key` and the identities (phone, WhatsApp user id) of `input`. */
export function tombstonesOf(
  secret: string,
  key: string | undefined,
  input: { phone?: string; whatsappUserId?: string },
): string[] {
  const hashes: string[] = [];
  if (key !== undefined) hashes.push(tombstoneOf(secret, 'key', key));
  if (input.phone) hashes.push(tombstoneOf(secret, 'phone', tombstonePhone(input.phone)));
  if (input.whatsappUserId) {
    hashes.push(tombstoneOf(secret, 'whatsappUserId', input.whatsappUserId));
  }
  return hashes;
}

/** The phone a tombstone is kept for: E.164 without any extension. */
export function tombstonePhone(phone: string): string {
  const cut = phone.indexOf(';');
  return cut === -1 ? phone : phone.slice(0, cut);
}
