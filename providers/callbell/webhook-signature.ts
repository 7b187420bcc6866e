import { createHmac, timingSafeEqual } from 'node:crypto';

/** Callbell refuses nothing older, we accept nothing older: 5 minutes either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * What {@link verifyCallbellSignature} found: `ok` with the signed `timestamp` (Unix seconds),
 * or why not: no header (`unsigned`), a header it cannot read (`malformed`), a timestamp more
 * than 300 s (5 minutes) from now (`stale`), or no secret giving that
 * signature (`mismatch`).
 */
export type SignatureCheck =
  | {
      /** The signature is valid. */
      ok: true;
      /** The signed timestamp, in Unix seconds. */
      timestamp: number;
    }
  | {
      /** The signature is missing or invalid: answer 401. */
      ok: false;
      /** Why. */
      reason: 'unsigned' | 'malformed' | 'stale' | 'mismatch';
    };

/**
 * The `X-Callbell-Signature` value for `rawBody` sent at `timestamp` (Unix seconds):
 * `t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the whole whsec_… secret>`.
 */
export function signCallbellPayload(
  secret: string,
  rawBody: Uint8Array | string,
  timestamp: number,
): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, toBytes(rawBody))}`;
}

/**
 * Checks a signature header against the raw body, in constant time, with any of `secrets` (a
 * list during a rotation: Callbell's old secret stops working at once). `now` in Unix seconds.
 */
export function verifyCallbellSignature(
  header: string | null | undefined,
  rawBody: Uint8Array,
  secrets: readonly string[],
  now: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'unsigned' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) return { ok: false, reason: 'malformed' };
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined)
        return { ok: false, reason: 'malformed' };
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'malformed' };
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
    // Every candidate is compared, so the time taken does not say which one matched.
    let matched = false;
    for (const signature of signatures) {
      if (signature.length === expected.length && timingSafeEqual(signature, expected))
        matched = true;
    }
    if (matched) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'mismatch' };
}

function hmac(secret: string, timestamp: number, rawBody: Uint8Array): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`)
    .update(rawBody)
    .digest('hex');
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
