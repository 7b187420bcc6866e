import { ContactSyncError } from './errors.js';

/** The `breaker` option of a store (see {@link CommonOptions.breaker}). */
export interface BreakerOptions {
  /**
   * Network errors, timeouts and 5xx answers in a row (attempts, retries included) that open the
   * breaker. Default 10 (at a 20 % rate of random faults, ten in a row is one chance in ten million).
   */
  failures?: number | undefined;
  /** How long an open breaker fails calls at once before it lets one probe through, in ms. Default 10000. */
  cooldownMs?: number | undefined;
}

/** The defaults of {@link BreakerOptions}. */
export const DEFAULT_BREAKER = { failures: 10, cooldownMs: 10_000 } as const;

/** What one attempt showed about the vendor: up, down, or nothing (cancelled by the caller). */
export type AttemptOutcome = 'up' | 'down' | 'unknown';

/**
 * A store's circuit breaker: one per store, so one per vendor account. Closed, it counts the
 * attempts in a row that found the vendor down; at `failures` it opens, and every attempt fails
 * at once with `provider_unavailable` for `cooldownMs`. Then one attempt (the probe) goes
 * through while the others still fail at once: an answer that is not a 5xx closes the breaker,
 * another failure opens it again for a new cooldown.
 */
export interface CircuitBreaker {
  /** `closed`, `open`, or `probing` (one attempt is testing the vendor). */
  readonly state: 'closed' | 'open' | 'probing';
  /**
   * Before an attempt is sent: throws `provider_unavailable` while the breaker is open or a probe
   * is out, and returns the callback that reports the attempt's outcome (call it once).
   */
  enter(operation: string): (outcome: AttemptOutcome, reason?: string) => void;
  /** Throws `provider_unavailable` when an attempt now would fail at once; claims nothing. */
  check(operation: string): void;
}

/**
 * Creates a store's breaker. `describe` names the vendor and host in the error:
 * `cannot reach callbell at 127.0.0.1:4999: connection refused`.
 */
export function createCircuitBreaker(
  options: BreakerOptions | false | undefined,
  provider: string,
  host: string,
): CircuitBreaker | undefined {
  if (options === false) return undefined;
  const failures = options?.failures ?? DEFAULT_BREAKER.failures;
  const cooldownMs = options?.cooldownMs ?? DEFAULT_BREAKER.cooldownMs;
  let state: CircuitBreaker['state'] = 'closed';
  let inRow = 0;
  let openedUntil = 0;
  let lastReason = 'no answer';

  function unavailable(operation: string): ContactSyncError {
    // While a probe is out, the caller may come back as soon as it answers (within a second or
    // so); while open, at the end of the cooldown.
    const retryAfterMs = state === 'probing' ? 1000 : Math.max(1, openedUntil - Date.now());
    return new ContactSyncError({
      code: 'provider_unavailable',
      provider,
      operation,
      retryable: true,
      retryAfterMs,
      detail: `cannot reach ${provider} at ${host}: ${lastReason} (${failures} failed attempts in a row; sending again after a probe succeeds)`,
    });
  }

  function blocked(): boolean {
    if (state === 'probing') return true;
    return state === 'open' && Date.now() < openedUntil;
  }

  return {
    get state() {
      return state;
    },
    check(operation) {
      if (blocked()) throw unavailable(operation);
    },
    enter(operation) {
      if (blocked()) throw unavailable(operation);
      const probe = state === 'open';
      if (probe) state = 'probing';
      let reported = false;
      return (outcome, reason) => {
        if (reported) return;
        reported = true;
        if (outcome === 'up') {
          inRow = 0;
          state = 'closed';
          return;
        }
        if (outcome === 'unknown') {
          // A cancelled probe tested nothing: the next attempt probes.
          if (probe) state = 'open';
          return;
        }
        if (reason) lastReason = reason;
        inRow += 1;
        if (probe || (state === 'closed' && inRow >= failures)) {
          state = 'open';
          openedUntil = Date.now() + cooldownMs;
        }
      };
    },
  };
}

/** What a transport failure was, in a few words without secrets: `connection refused`. */
export function transportCause(error: unknown): string {
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'connection closed by the server';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'TLS certificate refused';
    case undefined:
      return 'connection failed';
    default:
      return `connection failed (${code})`;
  }
}

function errorCode(error: unknown): string | undefined {
  // fetch wraps the socket's error: TypeError('fetch failed', { cause }), an AggregateError of
  // one error per address for a host with several.
  for (let current = error, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    const inner = (current as { errors?: unknown[] }).errors?.[0];
    current = (current as { cause?: unknown }).cause ?? inner;
  }
  return undefined;
}
