import nock from 'nock';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ProviderEmulator } from '../sandbox/emulator.js';
import { type RunningServer, serveEmulators } from '../sandbox/server.js';
import type { ContactStore } from '../src/contact-store.js';
import type { CommonOptions } from '../src/options.js';
import {
  contactStoreCases,
  createEmulatorFetch,
  type VendorDouble,
  type VendorFault,
} from '../src/testing/index.js';
import { mountEmulator } from './support/nock-emulator.js';

/** What one shipped adapter gives the conformance cases, with its emulator. */
export interface ContractHarness {
  provider: string;
  /** The vendor's origin, e.g. `https://api.callbell.eu` (the emulator adds its base path). */
  origin: string;
  emulator: ProviderEmulator;
  /** A store pointed at the emulator with valid credentials; `options` override the defaults. */
  createStore(options?: Partial<CommonOptions>): ContactStore;
  /** A store whose credential the emulator refuses; `options` override the defaults. */
  createUnauthorizedStore(options?: Partial<CommonOptions>): ContactStore;
  /** The secrets given to `createStore` (and any token the emulator issues). */
  secrets: string[];
  /** Contacts per page of the vendor's list, to make `list` cross pages. */
  pageSize: number;
  /** The vendor's own response to an input it refuses (HTTP 400/422 or its envelope). */
  validationFault: VendorFault;
  /** A call that must reject `unsupported`, where the vendor lacks something. */
  unsupportedCall?(store: ContactStore, existingId: string): Promise<unknown>;
  /** Paths of write requests (to count creates), e.g. `/contact/add`. */
  createPath: RegExp;
}

export interface ContractOptions {
  /**
   * `'nock'` (default): the emulator behind nock, no socket opened. `'sandbox'`: the emulator
   * served over real HTTP on 127.0.0.1 by the sandbox server, faults injected there. `'fetch'`:
   * the emulator behind the shipped `createEmulatorFetch` double, as an outside adapter runs it.
   */
  over?: 'nock' | 'sandbox' | 'fetch';
}

/**
 * The shipped conformance cases (`contact-sync/testing`) against one adapter, as a vitest
 * `describe` block: this file only supplies the vendor double (nock or the sandbox server).
 */
export function describeContactStore(
  harness: ContractHarness,
  options: ContractOptions = {},
): void {
  const over = options.over ?? 'nock';
  const { emulator } = harness;
  let vendor: VendorDouble | undefined;
  let server: RunningServer | undefined;
  let emulatedFetch: typeof fetch | undefined;
  const local = (): Partial<CommonOptions> =>
    server
      ? { baseUrl: server.baseUrl(harness.provider) }
      : emulatedFetch
        ? { fetch: emulatedFetch }
        : {};
  const started = (): VendorDouble => {
    if (!vendor) throw new Error('the vendor double is not started');
    return vendor;
  };

  describe(`${harness.provider}: ContactStore contract (${over})`, () => {
    beforeAll(async () => {
      if (over === 'sandbox') {
        const running = await serveEmulators({ emulators: { [harness.provider]: emulator } });
        server = running;
        vendor = {
          requests: () => running.requests,
          contacts: () => emulator.contacts(),
          fail: (fault) => running.inject(fault),
          reset: () => running.reset(),
        };
        return;
      }
      if (over === 'fetch') {
        const double = createEmulatorFetch(emulator, { origin: harness.origin });
        emulatedFetch = double.fetch;
        vendor = double.vendor;
        return;
      }
      nock.disableNetConnect();
      const mount = mountEmulator(emulator, harness.origin);
      vendor = {
        requests: () => mount.requests,
        contacts: () => emulator.contacts(),
        fail: (fault) => mount.fail(fault),
        reset: () => {
          emulator.reset();
          mount.clear();
        },
      };
    });
    afterAll(async () => {
      if (server) await server.close();
      else if (over === 'nock') {
        nock.cleanAll();
        nock.enableNetConnect();
      }
    });

    const cases = contactStoreCases({
      provider: harness.provider,
      makeStore: (overrides) => harness.createStore({ ...overrides, ...local() }),
      makeUnauthorizedStore: (overrides) =>
        harness.createUnauthorizedStore({ ...overrides, ...local() }),
      vendor: {
        requests: () => started().requests(),
        contacts: () => started().contacts(),
        fail: (fault) => started().fail(fault),
        reset: () => started().reset(),
      },
      secrets: () => harness.secrets,
      pageSize: harness.pageSize,
      validationFault: harness.validationFault,
      createPath: harness.createPath,
      unsupportedCall: harness.unsupportedCall,
    });
    for (const testCase of cases) it(testCase.name, testCase.run);
  });
}
