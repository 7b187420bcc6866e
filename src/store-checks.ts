import { abortError } from './abort.js';
import type { Contact, ContactPatch, Warning } from './contact.js';
import type { CallOptions } from './contact-store.js';
import { ContactSyncError, invalidInput, isContactSyncError } from './errors.js';

/**
 * The small rules `defineContactStore` applies around every driver call: the caller's signal is
 * a signal, an answer is about the id asked, errors carry provider and operation.
 */

/** The caller's signal, checked: anything else would fail inside fetch as a misleading error. */
export function signalOf(options?: CallOptions, operation?: string): AbortSignal | undefined {
  const signal = options?.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidInput([{ path: 'signal', message: 'expected an AbortSignal' }], { operation });
  }
  if (signal?.aborted) throw abortError(signal);
  return signal;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

/**
 * `contact`, when it is the contact `id` asked about. A vendor answer about another id (a swapped
 * id, a proxy's cached page) is `invalid_response`: adopting it would tie a key to someone else.
 */
export function sameId<T extends Contact | undefined>(
  contact: T,
  id: string,
  provider: string,
  operation: string,
): T {
  if (contact === undefined || contact.id === id) return contact;
  throw new ContactSyncError({
    code: 'invalid_response',
    provider,
    operation,
    retryable: false,
    message: `[contact-sync] [${provider}] ${operation} failed: invalid_response: the vendor answered about another contact than the one asked`,
  });
}

export function withWarnings(contact: Contact, warnings: Warning[]): Contact {
  return { ...contact, warnings: [...warnings, ...contact.warnings] };
}

/** Attaches the provider and operation to errors that lack them; wraps anything unexpected. */
export function tagged(error: unknown, provider: string, operation: string): ContactSyncError {
  if (isContactSyncError(error)) {
    if (error.provider && error.operation) return error;
    return new ContactSyncError({
      code: error.code,
      provider: error.provider ?? provider,
      operation: error.operation ?? operation,
      status: error.status,
      providerCode: error.providerCode,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      existingId: error.existingId,
      issues: error.issues,
      cause: error.cause,
    });
  }
  return new ContactSyncError({
    code: 'invalid_response',
    provider,
    operation,
    retryable: false,
    cause: error instanceof Error ? new Error(error.message.slice(0, 200)) : undefined,
  });
}

/** The same error, naming the contact that holds the phone (its message unchanged). */
export function withExistingId(error: ContactSyncError, existingId: string): ContactSyncError {
  return new ContactSyncError({
    code: error.code,
    message: error.message,
    provider: error.provider,
    operation: error.operation,
    status: error.status,
    providerCode: error.providerCode,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    existingId,
    issues: error.issues,
    cause: error.cause,
  });
}

export function unsupportedUnless(support: string, provider: string, operation: string): void {
  if (support === 'unsupported') {
    throw new ContactSyncError({ code: 'unsupported', provider, operation });
  }
}

/**
 * True when every field the vendor would hold from `projected` already has that value in
 * `existing`. Empty strings and absent values are the same; tags compare as sets; keys whose
 * projected value is `undefined` are not compared.
 */
export function isUnchanged(projected: ContactPatch, existing: ContactPatch): boolean {
  for (const [key, value] of Object.entries(projected) as [keyof ContactPatch, unknown][]) {
    if (value === undefined) continue;
    const current = existing[key];
    if (key === 'tags') {
      const wanted = new Set((value as string[] | undefined) ?? []);
      const held = new Set((current as string[] | undefined) ?? []);
      if (wanted.size !== held.size || [...wanted].some((tag) => !held.has(tag))) return false;
    } else if (key === 'customFields') {
      const held = (current as Record<string, string> | undefined) ?? {};
      for (const [field, fieldValue] of Object.entries((value as Record<string, string>) ?? {})) {
        if ((held[field] ?? '') !== fieldValue) return false;
      }
    } else if ((value ?? '') !== (current ?? '')) {
      return false;
    }
  }
  return true;
}

/** What a contact holds besides its common fields: never compared by `sameContact`. */
const NOT_HELD = new Set(['id', 'provider', 'createdAt', 'warnings', 'raw']);

/** True when `a` and `b` hold the same common fields (as `isUnchanged` compares them, both ways). */
export function sameContact(a: Contact, b: Contact): boolean {
  const held = (contact: Contact) =>
    Object.fromEntries(
      Object.entries(contact).filter(([name]) => !NOT_HELD.has(name)),
    ) as ContactPatch;
  const [left, right] = [held(a), held(b)];
  return isUnchanged(left, right) && isUnchanged(right, left);
}

/** Warnings for values a vendor cannot hold, or `invalid_input` with `onUnmapped: 'error'`. */
export function reportUnmapped(
  warnings: Warning[],
  onUnmapped: 'warn' | 'error' | undefined,
  context: { provider: string; operation: string },
): Warning[] {
  if (onUnmapped !== 'error') return warnings;
  const blocking = warnings.filter((warning) => warning.reason !== 'truncated');
  if (blocking.length) {
    throw invalidInput(
      blocking.map((warning) => ({ path: warning.field, message: warning.message })),
      context,
    );
  }
  return warnings;
}
