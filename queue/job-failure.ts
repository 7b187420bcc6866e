import { ContactSyncError, type ContactSyncErrorCode } from '../src/errors.js';

const MARK = 'contact-sync';

/**
 * The `failedReason` BullMQ keeps for a job whose push failed: the errors as JSON, so a listing
 * gives them back typed. Each `ContactSyncError` is already free of secrets and phone numbers;
 * its `cause` (which may not be) is left out.
 */
export function failureReason(errors: readonly ContactSyncError[]): string {
  return JSON.stringify({ [MARK]: errors.map((error) => error.toJSON()) });
}

/**
 * Reads a `failedReason` back: the push's errors, and a one-line summary. A reason BullMQ wrote
 * itself (a job that stalled too often, say) has no errors; its text is the summary.
 */
export function parseFailureReason(reason: string | undefined): {
  errors: ContactSyncError[];
  summary: string;
} {
  const text = reason ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { errors: [], summary: text };
  }
  const list = (parsed as Record<string, unknown> | null)?.[MARK];
  if (!Array.isArray(list)) return { errors: [], summary: text };
  const errors = list
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map(
      (item) =>
        new ContactSyncError({
          code: item.code as ContactSyncErrorCode,
          message: typeof item.message === 'string' ? item.message : undefined,
          provider: item.provider as string | undefined,
          operation: item.operation as string | undefined,
          status: item.status as number | undefined,
          providerCode: item.providerCode as string | number | undefined,
          retryable: item.retryable === true,
          retryAfterMs: item.retryAfterMs as number | undefined,
          existingId: item.existingId as string | undefined,
          issues: item.issues as ContactSyncError['issues'],
        }),
    );
  return { errors, summary: errors.map((error) => error.message).join('; ') };
}
