/**
 * The shape of a vendor emulator: a pure request → response function over in-memory state. The
 * unit tests mount emulators behind nock; the sandbox serves them over HTTP on 127.0.0.1.
 */

export interface EmulatorRequest {
  method: string;
  /** The path below the vendor's base path, e.g. `/contact/add` or `/api/contacts/12`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or `undefined`. */
  body: unknown;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a string; absent for an empty body (e.g. 204). */
  body?: unknown;
}

/** A contact as the emulator stores it, for tests to compare with their input. */
export interface EmulatedContact {
  id: string;
  /** E.164. */
  phone: string;
  /** The vendor's own stored object. */
  record: unknown;
}

export interface ProviderEmulator {
  readonly provider: string;
  /** The path of the vendor's base URL (`/v1`, or `''`), below which `handle` sees paths. */
  readonly basePath: string;
  handle(request: EmulatorRequest): EmulatorResponse;
  /** Every contact held, across groups or channels. */
  contacts(): EmulatedContact[];
  /** Forgets every contact (credentials and configured fields stay). */
  reset(): void;
}
