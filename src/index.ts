/** The neutral core: the model, the store contract, errors, phones and ContactSync. It names no vendor. */

export type { BreakerOptions } from './breaker.js';
export type {
  Contact,
  ContactInput,
  ContactPatch,
  IdentityField,
  Warning,
  WarningReason,
} from './contact.js';
export type { ContactEvent } from './contact-event.js';
export { LIMITS } from './contact-schema.js';
export type {
  CallOptions,
  Capabilities,
  CapabilitySupport,
  ContactStore,
  HttpRequestPreview,
  ListOptions,
  PreviewOperation,
  ReconcileResult,
  UpsertAction,
  UpsertManyOptions,
  UpsertOptions,
  UpsertResult,
} from './contact-store.js';
export {
  type ConflictError,
  ContactSyncError,
  type ContactSyncErrorCode,
  type ContactSyncErrorOf,
  type ContactSyncErrorOptions,
  type InvalidConfigError,
  type InvalidInputError,
  isAborted,
  isConflict,
  isContactSyncError,
  isInvalidConfig,
  isInvalidInput,
  isInvalidResponse,
  isMirrorGuard,
  isNetworkError,
  isNotFound,
  isProviderError,
  isProviderUnavailable,
  isRateLimited,
  isTimeout,
  isUnauthorized,
  isUnsupported,
  type ProviderError,
  type RateLimitedError,
  type ValidationIssue,
} from './errors.js';
export type { Logger, LogMethod } from './logger.js';
export type {
  OptInResult,
  OptOut,
  OptOutChannel,
  OptOutResult,
  OptOutSupport,
} from './opt-outs.js';
export type {
  CommonOptions,
  Hooks,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  RetryOptions,
} from './options.js';
export { type NormalizePhoneOptions, normalizePhone } from './phone.js';
export type { RateLimiter } from './rate-limit.js';
export * from './sync/index.js';
