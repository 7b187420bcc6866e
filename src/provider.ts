/**
 * `contact-sync/provider`: everything an adapter author needs to add a vendor outside this
 * package, the same building blocks the shipped adapters (SMS Partner, Callbell, Notificore) use.
 * A vendor is a `ContactStoreDriver` (map, send, parse) turned into a `ContactStore` by
 * `defineContactStore`, which adds validation, phone normalization, error tagging, safe create
 * retries and `upsert`; its facts live in one `ProviderDefinition`. See docs/writing-a-provider.md.
 *
 * Everything is re-exported by name from the core, so the shipped adapters and yours share one
 * implementation.
 */

// From validated common options to the store's HTTP client and `defineContactStore` settings.
export { type AdapterHttpOptions, type ProviderDefaults, setUpAdapter } from './adapter.js';
// The circuit breaker every store's client keeps (the `breaker` option, `HttpClientOptions`).
export type { AttemptOutcome, BreakerOptions, CircuitBreaker } from './breaker.js';
// The common model and the store contract an adapter implements.
export type {
  Contact,
  ContactInput,
  ContactPatch,
  IdentityField,
  Warning,
  WarningReason,
} from './contact.js';
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
// The one error class, and the shorthands for the errors an adapter raises itself.
export {
  ContactSyncError,
  type ContactSyncErrorCode,
  type ContactSyncErrorOptions,
  invalidConfig,
  invalidInput,
  isContactSyncError,
  type ValidationIssue,
} from './errors.js';
export {
  codeForStatus,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpResponse,
  parseRetryAfter,
  pathSegment,
  type Recovery,
  type RequestSpec,
  vendorMessage,
} from './http.js';
// Identity (design §15): `phoneOf` is a driver's guard for the phone of a store that needs one
// (`unsupported` naming `phone`); `whatsappUserIdForms` lists a BSUID's written forms, to pass as
// a request's `sensitive` values like a phone's.
export { phoneOf, whatsappUserIdForms } from './identity.js';
// The `logger` option's shape (pino-compatible), which `CommonOptions` names.
export type { Logger, LogMethod } from './logger.js';
// Opt-outs (stop lists): what a store's optional `optOuts`, `optOut` and `optIn` answer.
export type {
  OptInResult,
  OptOut,
  OptOutChannel,
  OptOutResult,
  OptOutSupport,
} from './opt-outs.js';
// Options checked one way: spread `commonOptionEntries` into the vendor's valibot
// `v.strictObject`, use `secretSchema` for a key or token, and `parseOptions` to throw
// `invalid_config` naming the bad option.
export {
  type CommonOptions,
  commonOptionEntries,
  type Hooks,
  parseOptions,
  type RequestEvent,
  type ResponseEvent,
  type RetryEvent,
  type RetryOptions,
  secretSchema,
} from './options.js';
// Phones: `phoneFromVendor` reads a vendor's number into E.164.
export { type NormalizePhoneOptions, normalizePhone, phoneFromVendor } from './phone.js';
// The one object that holds a vendor's facts (name, base URL, documented rate, page and batch
// sizes, factory); `defineProvider` freezes it.
export { defineProvider, type ProviderDefinition } from './provider-definition.js';
export type { RateLimiter } from './rate-limit.js';
// `phoneForms` lists the written forms of a number, to pass as a request's `sensitive` values
// (kept out of every message, cause and hook event).
export { phoneForms } from './redact.js';
// The client's retry policy (`HttpClientOptions.retry`), resolved from the `retry` option.
export type { RetryPolicy } from './retry.js';
// The store skeleton: a driver (the vendor half) → a `ContactStore`. `reportUnmapped` turns the
// warnings of a driver's `plan` into `invalid_input` when the user chose `onUnmapped: 'error'`.
export {
  type ContactStoreDriver,
  type DriverCall,
  defineContactStore,
  reportUnmapped,
  type StoreSettings,
  type WritePlan,
} from './store.js';

// The emulator contract, for a vendor's stand-in in tests or in a sandbox (serve it with
// `createEmulatorFetch` from `contact-sync/testing`).
export type {
  EmulatedContact,
  EmulatedStopEntry,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from './testing/emulator.js';
