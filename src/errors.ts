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
  | 'provider_unavailable'
  | 'mirror_guard'
  | 'aborted';

/** One field at fault in an `invalid_input` or `invalid_config` error. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `customFields.company` or `retry.retries`. */
  path: string;
  /** What is wrong with it, e.g. `expected a whole number`; never the value itself. */
  message: string;
}

/** The fields of a `ContactSyncError`, given to its constructor. */
export interface ContactSyncErrorOptions {
  /** What went wrong (see {@link ContactSyncError.code}). Required. */
  code: ContactSyncErrorCode;
  /** Overrides the generated message (which never holds a secret or a request body). */
  message?: string | undefined;
  /** The store's vendor, e.g. `'callbell'`. */
  provider?: string | undefined;
  /** The store method that failed, e.g. `'update'` (`'login'` for Notificore's token request). */
  operation?: string | undefined;
  /** The vendor's HTTP status, when it answered. */
  status?: number | undefined;
  /** The vendor's own error code (SMS Partner's `15`, …), when it gave one. */
  providerCode?: string | number | undefined;
  /**
   * Whether a later attempt can succeed. Default: true for `rate_limited`, `network`, `timeout`,
   * `provider_unavailable`,
   * and `provider_error` with a 5xx status; false otherwise.
   */
  retryable?: boolean | undefined;
  /** On `rate_limited`: the vendor's `Retry-After`; on `provider_unavailable`: until the next probe. In ms. */
  retryAfterMs?: number | undefined;
  /** On `conflict`: the vendor's id of the contact that already holds the phone, when known. */
  existingId?: string | undefined;
  /** On `conflict`: the link key that already holds the phone, when a link store knows it. */
  existingKey?: string | undefined;
  /** On `invalid_input` / `invalid_config`: one entry per offending field. */
  issues?: ValidationIssue[] | undefined;
  /** On `mirror_guard`: how many keys the mirror run would have removed (none was). */
  planned?: number | undefined;
  /** `METHOD /path` with ids elided, shown in the message. */
  route?: string | undefined;
  /** The vendor's own explanation, already free of secrets and phone numbers. */
  detail?: string | undefined;
  /** The underlying error (kept as `error.cause`, left out of `toJSON`). */
  cause?: unknown | undefined;
}

/** Codes that a later attempt can turn into a success. */
const RETRYABLE_CODES: ReadonlySet<ContactSyncErrorCode> = new Set([
  'rate_limited',
  'network',
  'timeout',
  'provider_unavailable',
]);

const BRAND = Symbol.for('contact-sync.error');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The optional fields, in the order `inspect` and `toJSON` show them. */
const FIELDS = [
  'provider',
  'operation',
  'status',
  'providerCode',
  'retryable',
  'retryAfterMs',
  'existingId',
  'existingKey',
  'issues',
  'planned',
] as const;

/** The one error class of contact-sync. Safe to log and to serialise: it holds no secret. */
export class ContactSyncError extends Error {
  // `declare` keeps unset fields off the object, so `console.log(error)` shows only what is set.
  /** Always `'ContactSyncError'`. */
  declare readonly name: 'ContactSyncError';
  /** What went wrong: one of the codes in `docs/errors.md`. */
  declare readonly code: ContactSyncErrorCode;
  /** Which store's vendor failed, e.g. `'callbell'`; absent for errors outside a store. */
  declare readonly provider?: string;
  /** Which method failed, e.g. `'update'` (`'login'` for Notificore's token request). */
  declare readonly operation?: string;
  /** The vendor's HTTP status, when it answered. */
  declare readonly status?: number;
  /** The vendor's own error code (SMS Partner's `15`, …), when it gave one. */
  declare readonly providerCode?: string | number;
  /** Whether trying again can succeed (`rate_limited`, `network`, `timeout`, a 5xx). */
  declare readonly retryable: boolean;
  /** On `rate_limited`: when the vendor said to come back; on `provider_unavailable`: until the next probe. In ms. */
  declare readonly retryAfterMs?: number;
  /** On `conflict`: the vendor's id of the contact that already holds the phone, when known. */
  declare readonly existingId?: string;
  /** On `conflict`: the link key that already holds the phone, when a link store knows it. */
  declare readonly existingKey?: string;
  /** On `invalid_input` / `invalid_config`: `{ path, message }`, one per offending field. */
  declare readonly issues?: ValidationIssue[];
  /** On `mirror_guard`: how many keys the mirror run would have removed (none was). */
  declare readonly planned?: number;

  constructor(options: ContactSyncErrorOptions) {
    // An own `cause: undefined` would print too; pass the option only when there is a cause.
    super(
      options.message ?? formatMessage(options),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    Object.defineProperty(this, BRAND, { value: true });
    const fields: Record<string, unknown> = {
      code: options.code,
      ...definedFields(options),
      retryable:
        options.retryable ??
        (RETRYABLE_CODES.has(options.code) ||
          (options.code === 'provider_error' && (options.status ?? 0) >= 500)),
    };
    Object.assign(this, fields);
  }

  /** `instanceof ContactSyncError` holds for an error from another copy of the library too. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isContactSyncError(value);
  }

  /** What `JSON.stringify(error)` shows: every field that is set, but not `cause`. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...definedFields(this) };
  }

  /**
   * What `console.log(error)` and `util.inspect(error)` show: the stack, then only the fields that
   * are set, and the cause as its name and message (its own fields could hold a request).
   */
  [INSPECT](
    depth: number,
    options: { stylize?: unknown },
    inspect: (value: unknown, options?: unknown) => string,
  ): string {
    const fields: Record<string, unknown> = { code: this.code, ...definedFields(this) };
    const cause = (this as { cause?: unknown }).cause;
    if (cause !== undefined) fields.cause = causeLine(cause);
    const head = this.stack ?? `${this.name}: ${this.message}`;
    if (depth < 0) return `[${this.name}: ${this.code}]`;
    return `${head} ${inspect(fields, { ...options, depth: 2 })}`;
  }
}

// On the prototype, as Error.prototype.name is, so inspect does not list it as a field.
Object.defineProperty(ContactSyncError.prototype, 'name', {
  value: 'ContactSyncError',
  configurable: true,
  writable: true,
});

function definedFields(source: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = (source as Record<string, unknown>)[field];
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

function causeLine(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause;
}

/** True for a `ContactSyncError`, even one from another copy of the library. */
export function isContactSyncError(value: unknown): value is ContactSyncError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Object.prototype.isPrototypeOf.call(ContactSyncError.prototype, value) ||
      (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

/** A `ContactSyncError` narrowed to one code. */
export type ContactSyncErrorOf<Code extends ContactSyncErrorCode> = ContactSyncError & {
  /** The one code it has. */
  readonly code: Code;
};

/** `conflict`: the vendor already holds the phone; who holds it, when known. */
export type ConflictError = ContactSyncErrorOf<'conflict'> & {
  /** The vendor's id of the contact that holds the phone, or `undefined` when not known. */
  readonly existingId: string | undefined;
  /** The link key that holds the phone, or `undefined` when no link store knows it. */
  readonly existingKey: string | undefined;
};

/** `invalid_input` / `invalid_config`: one `{ path, message }` per offending field. */
export type InvalidInputError = ContactSyncErrorOf<'invalid_input'> & {
  /** One entry per offending field of the input. */
  readonly issues: ValidationIssue[];
};
/** `invalid_config`: one `{ path, message }` per offending option. */
export type InvalidConfigError = ContactSyncErrorOf<'invalid_config'> & {
  /** One entry per offending option. */
  readonly issues: ValidationIssue[];
};

/** `rate_limited`: when the vendor said to come back, if it did. */
export type RateLimitedError = ContactSyncErrorOf<'rate_limited'> & {
  /** The vendor's `Retry-After`, in ms, or `undefined` when it sent none. */
  readonly retryAfterMs: number | undefined;
};

/** `provider_error`: the HTTP status, when there was an answer. */
export type ProviderError = ContactSyncErrorOf<'provider_error'> & {
  /** The HTTP status, or `undefined` when there was no answer. */
  readonly status: number | undefined;
};

function hasCode<Code extends ContactSyncErrorCode>(value: unknown, code: Code): boolean {
  return isContactSyncError(value) && value.code === code;
}

/** True for a `conflict`; `existingId` and `existingKey` are then `string | undefined`. */
export function isConflict(error: unknown): error is ConflictError {
  return hasCode(error, 'conflict');
}
/** True for `invalid_input`; `issues` is then always an array. */
export function isInvalidInput(error: unknown): error is InvalidInputError {
  return hasCode(error, 'invalid_input');
}
/** True for `invalid_config`; `issues` is then always an array. */
export function isInvalidConfig(error: unknown): error is InvalidConfigError {
  return hasCode(error, 'invalid_config');
}
/** True for `unauthorized`: the key or token is refused. */
export function isUnauthorized(error: unknown): error is ContactSyncErrorOf<'unauthorized'> {
  return hasCode(error, 'unauthorized');
}
/** True for `not_found`: `update` / `delete` of an id the vendor does not have. */
export function isNotFound(error: unknown): error is ContactSyncErrorOf<'not_found'> {
  return hasCode(error, 'not_found');
}
/** True for `rate_limited`; `retryAfterMs` is then `number | undefined`. */
export function isRateLimited(error: unknown): error is RateLimitedError {
  return hasCode(error, 'rate_limited');
}
/** True for `unsupported`: the vendor cannot do this (see `capabilities`). */
export function isUnsupported(error: unknown): error is ContactSyncErrorOf<'unsupported'> {
  return hasCode(error, 'unsupported');
}
/** True for `invalid_response`: the vendor answered something the adapter cannot read. */
export function isInvalidResponse(error: unknown): error is ContactSyncErrorOf<'invalid_response'> {
  return hasCode(error, 'invalid_response');
}
/** True for `provider_error`; `status` is then `number | undefined`. */
export function isProviderError(error: unknown): error is ProviderError {
  return hasCode(error, 'provider_error');
}
/** True for `network`: the connection failed or was dropped. */
export function isNetworkError(error: unknown): error is ContactSyncErrorOf<'network'> {
  return hasCode(error, 'network');
}
/** True for `timeout`: an attempt took longer than `timeout`, or the vendor answered 408. */
export function isTimeout(error: unknown): error is ContactSyncErrorOf<'timeout'> {
  return hasCode(error, 'timeout');
}
/**
 * True for `provider_unavailable`: the store's circuit breaker is open (the vendor failed too
 * often in a row); nothing was sent. `retryAfterMs` says when a probe may go through.
 */
export function isProviderUnavailable(
  error: unknown,
): error is ContactSyncErrorOf<'provider_unavailable'> {
  return hasCode(error, 'provider_unavailable');
}
/**
 * True for `mirror_guard`: a mirror run stopped before removing anything, because it would have
 * removed more than `maxDeletes` (`planned` says how many) or its input could not vouch for
 * every key (empty, or a row without a key).
 */
export function isMirrorGuard(error: unknown): error is ContactSyncErrorOf<'mirror_guard'> {
  return hasCode(error, 'mirror_guard');
}
/** True for `aborted`: the caller's `AbortSignal` fired. */
export function isAborted(error: unknown): error is ContactSyncErrorOf<'aborted'> {
  return hasCode(error, 'aborted');
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
