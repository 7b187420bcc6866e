/**
 * `contact-sync/testing`: the conformance cases every shipped adapter and link store passes, as
 * plain `{ name, run }` objects that any test runner can run. Nothing here imports a test runner;
 * a failed expectation rejects with `node:assert`'s `AssertionError`.
 *
 * ```ts
 * import { contactStoreCases } from 'contact-sync/testing';
 * for (const { name, run } of contactStoreCases({ provider: 'acme', makeStore, … })) {
 *   test(name, run);
 * }
 * ```
 */

// The link store contract the link store cases check.
export type { LinkState, LinkStateStore, LinkStore } from '../sync/link-store.js';
export { type ContactStoreCasesOptions, contactStoreCases } from './contact-store-cases.js';
export {
  createFaultQueue,
  type EmulatedContact,
  type EmulatedStopEntry,
  type EmulatorRequest,
  type EmulatorResponse,
  type ProviderEmulator,
  serializeAnswer,
  type TargetedFault,
} from './emulator.js';
export {
  createEmulatorFetch,
  type EmulatorFetch,
  type EmulatorFetchOptions,
} from './emulator-fetch.js';
export { type LinkStoreCasesOptions, linkStoreCases } from './link-store-cases.js';
// The sandbox's HTTP server of emulators, with faults and a request log, for your own emulator.
export {
  type FaultKind,
  type FaultOptions,
  type RunningServer,
  type SandboxAnswer,
  type SandboxExchange,
  type SandboxRequest,
  type ServeOptions,
  serveEmulators,
  type VendorSwitches,
} from './serve-emulators.js';
export type { TestCase } from './test-case.js';
export type { HeldContact, VendorDouble, VendorFault, VendorRequest } from './vendor-double.js';
