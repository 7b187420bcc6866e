/**
 * The shape of a vendor emulator: a pure request → response function over in-memory state. The
 * sandbox serves emulators over HTTP on 127.0.0.1, the unit tests mount them behind nock, and
 * `createEmulatorFetch` turns one into a `fetch` double; an adapter outside this package writes
 * one for its own vendor against these types.
 */
import type { VendorFault } from './vendor-double.js';

/** A request as an emulator receives it: below the vendor's base path, the body already parsed. */
export interface EmulatorRequest {
  /** The HTTP method, upper case. */
  method: string;
  /** The path below the vendor's base path, e.g. `/contact/add` or `/api/contacts/12`. */
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or `undefined`. */
  body: unknown;
}

/** An emulator's answer, before it goes on the wire (see `serializeAnswer`). */
export interface EmulatorResponse {
  /** The HTTP status. */
  status: number;
  /** Headers of the answer; `content-type: application/json` is added for a JSON body. */
  headers?: Record<string, string> | undefined;
  /** JSON-serialised unless a string; absent for an empty body (e.g. 204). */
  body?: unknown | undefined;
}

/** A contact as the emulator stores it, for tests to compare with their input. */
export interface EmulatedContact {
  /** The vendor's id of the contact, as a string. */
  id: string;
  /** E.164. */
  phone: string;
  /** The vendor's own stored object. */
  record: unknown;
  /** The names of the vendor's lists (groups) it is in, where the vendor has lists. */
  lists?: string[] | undefined;
}

/** One entry of a vendor's stop list (numbers that must not be messaged). */
export interface EmulatedStopEntry {
  /** E.164. */
  phone: string;
  /** The vendor's own stored entry. */
  record: unknown;
}

/**
 * One vendor's contact API in memory: what the sandbox serves, nock mounts and
 * `createEmulatorFetch` wraps. `handle` must be pure apart from the emulator's own state.
 */
export interface ProviderEmulator {
  /** The vendor's name, e.g. `'callbell'`. */
  readonly provider: string;
  /** The path of the vendor's base URL (`/v1`, or `''`), below which `handle` sees paths. */
  readonly basePath: string;
  /** Answers one request as the vendor would, from the emulator's state. */
  handle(request: EmulatorRequest): EmulatorResponse;
  /** Every contact held, across groups or channels. */
  contacts(): EmulatedContact[];
  /** The stop list's entries, where the vendor keeps one (shown by the sandbox's page). */
  stopEntries?(): EmulatedStopEntry[];
  /** Forgets every contact (credentials and configured fields stay). */
  reset(): void;
  /**
   * The options, besides `provider` and `baseUrl`, of a store that talks to this emulator: the
   * credentials it accepts, a field map. `startSandbox({ emulators })` puts them in its
   * `storeConfigs()` (and its `seed` builds the store from them), so the command line and the
   * queue reach an outside vendor's emulator as they reach a shipped one. Never a real
   * credential: the sandbox prints them. Default: none.
   */
  readonly storeOptions?: Readonly<Record<string, unknown>> | undefined;
}

/** An answer as it goes on the wire: status, headers with the content type, body text. */
export function serializeAnswer(answer: EmulatorResponse): {
  /** The HTTP status. */
  status: number;
  /** The answer's headers, with `content-type` for a JSON body. */
  headers: Record<string, string>;
  /** The body text (`''` for none). */
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
  provider?: string | undefined;
}

/** A queue of targeted faults: `take` returns the first that matches a request and uses it up. */
export function createFaultQueue() {
  let faults: (TargetedFault & { left: number })[] = [];
  return {
    /** Plans `fault` for its next `times` (default 1) matching requests. */
    add(fault: TargetedFault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    /** The first planned fault matching this request, used up once; `undefined` when none. */
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
    /** Forgets every planned fault. */
    clear() {
      faults = [];
    },
  };
}
