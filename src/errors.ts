/** Every way a contact-sync call can fail. */
export type ContactSyncErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unsupported'
  | 'invalid_response'
  | 'provider_error'
  | 'network'
  | 'timeout'
  | 'aborted';

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `customFields.company` or `retry.retries`. */
  path: string;
  message: string;
}

export interface ContactSyncErrorOptions {
  code: ContactSyncErrorCode;
  /** Overrides the generated message (which never holds a secret or a request body). */
  message?: string;
  provider?: string;
  operation?: string;
  status?: number;
  providerCode?: string | number;
  retryable?: boolean;
  retryAfterMs?: number;
  existingId?: string;
  issues?: ValidationIssue[];
  /** `METHOD /path` with ids elided, shown in the message. */
  route?: string;
  /** The vendor's own explanation, already free of secrets and phone numbers. */
  detail?: string;
  cause?: unknown;
}

/** Codes that a later attempt can turn into a success. */
const RETRYABLE_CODES: ReadonlySet<ContactSyncErrorCode> = new Set([
  'rate_limited',
  'network',
  'timeout',
]);

const BRAND = Symbol.for('contact-sync.error');

/** The one error class of contact-sync. Safe to log and to serialise: it holds no secret. */
export class ContactSyncError extends Error {
  override readonly name = 'ContactSyncError';
  readonly code: ContactSyncErrorCode;
  readonly provider?: string;
  readonly operation?: string;
  readonly status?: number;
  readonly providerCode?: string | number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly existingId?: string;
  readonly issues?: ValidationIssue[];

  constructor(options: ContactSyncErrorOptions) {
    super(options.message ?? formatMessage(options), { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.code = options.code;
    this.provider = options.provider;
    this.operation = options.operation;
    this.status = options.status;
    this.providerCode = options.providerCode;
    this.retryable =
      options.retryable ??
      (RETRYABLE_CODES.has(options.code) ||
        (options.code === 'provider_error' && (options.status ?? 0) >= 500));
    this.retryAfterMs = options.retryAfterMs;
    this.existingId = options.existingId;
    this.issues = options.issues;
  }

  /** What `JSON.stringify(error)` shows: every field but `cause`. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      provider: this.provider,
      operation: this.operation,
      status: this.status,
      providerCode: this.providerCode,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      existingId: this.existingId,
      issues: this.issues,
    };
  }
}

/** True for a `ContactSyncError`, even one from another copy of the library. */
export function isContactSyncError(value: unknown): value is ContactSyncError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value instanceof ContactSyncError || (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

function formatMessage(options: ContactSyncErrorOptions): string {
  const scope = options.provider ? ` [${options.provider}]` : '';
  const action = options.operation ? ` ${options.operation} failed:` : '';
  const context = [options.status, options.route].filter((part) => part !== undefined).join(', ');
  const issues = options.issues?.length
    ? `: ${options.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')}`
    : '';
  const detail = options.detail ? `: ${options.detail}` : '';
  return `[contact-sync]${scope}${action} ${options.code}${context ? ` (${context})` : ''}${issues}${detail}`;
}

/** Shorthand for the `invalid_input` error of one or more fields. */
export function invalidInput(
  issues: ValidationIssue[],
  context: { provider?: string; operation?: string } = {},
): ContactSyncError {
  return new ContactSyncError({ code: 'invalid_input', issues, ...context });
}

/** Shorthand for the `invalid_config` error of one or more options. */
export function invalidConfig(issues: ValidationIssue[], provider?: string): ContactSyncError {
  return new ContactSyncError({ code: 'invalid_config', issues, provider });
}
