/**
 * The shape of a vendor emulator: a pure request → response function over in-memory state. The
 * sandbox serves emulators over HTTP on 127.0.0.1, the unit tests mount them behind nock, and
 * `createEmulatorFetch` turns one into a `fetch` double; an adapter outside this package writes
 * one for its own vendor against these types.
 */
import type { VendorFault } from './vendor-double.js';

/** A request as an emulator receives it: below the vendor's base path, the body already parsed. */
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

/** An emulator's answer, before it goes on the wire (see `serializeAnswer`). */
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

/**
 * One vendor's contact API in memory: what the sandbox serves, nock mounts and
 * `createEmulatorFetch` wraps. `handle` must be pure apart from the emulator's own state.
 */
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

/** An answer as it goes on the wire: status, headers with the content type, body text. */
export function serializeAnswer(answer: EmulatorResponse): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const body =
    answer.body === undefined
      ? ''
      : typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body);
  const headers: Record<string, string> = { ...answer.headers };
  if (body && typeof answer.body !== 'string') headers['content-type'] ??= 'application/json';
  return { status: answer.status, headers, body };
}

/** One planned failure of the sandbox, optionally for one emulator only. */
export interface TargetedFault extends VendorFault {
  /** Only requests to this emulator (by its sandbox name). Default: any. */
  provider?: string;
}

/** A queue of targeted faults: `take` returns the first that matches a request and uses it up. */
export function createFaultQueue() {
  let faults: (TargetedFault & { left: number })[] = [];
  return {
    add(fault: TargetedFault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    take(provider: string, method: string, path: string): TargetedFault | undefined {
      const fault = faults.find(
        (item) =>
          item.left > 0 &&
          (!item.provider || item.provider === provider) &&
          (!item.method || item.method === method) &&
          (!item.path || item.path.test(path)),
      );
      if (fault) fault.left -= 1;
      faults = faults.filter((item) => item.left > 0);
      return fault;
    },
    clear() {
      faults = [];
    },
  };
}
