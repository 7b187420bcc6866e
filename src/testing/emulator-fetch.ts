import { createFaultQueue, type ProviderEmulator, serializeAnswer } from './emulator.js';
import type { VendorDouble, VendorRequest } from './vendor-double.js';

/** What {@link createEmulatorFetch} returns: a `fetch` served by an emulator, and its double. */
export interface EmulatorFetch {
  /** Give it to the store as its `fetch` option: every request goes to the emulator. */
  fetch: typeof fetch;
  /** The emulator as the contact-store cases see it: its requests, contacts and faults. */
  vendor: VendorDouble;
}

/** Options of {@link createEmulatorFetch}. */
export interface EmulatorFetchOptions {
  /**
   * The origin the store sends to, e.g. `https://api.acme.test` (the store's default base URL
   * without the emulator's `basePath`). A request to any other origin fails like a refused
   * connection, so a store cannot reach the network by mistake.
   */
  origin: string;
}

/**
 * Serves `emulator` through a `fetch` double: no socket, no HTTP server, no interceptor library.
 * Planned faults answer a status instead of the emulator, or drop the connection before or after
 * the emulator handled the request (the store then sees a network error, as with a real reset).
 */
export function createEmulatorFetch(
  emulator: ProviderEmulator,
  options: EmulatorFetchOptions,
): EmulatorFetch {
  const origin = new URL(options.origin).origin;
  const requests: VendorRequest[] = [];
  const faults = createFaultQueue();

  const emulatedFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== origin || !url.pathname.startsWith(emulator.basePath)) {
      throw connectionRefused(url.host);
    }
    const path = url.pathname.slice(emulator.basePath.length) || '/';
    const method = request.method.toUpperCase();
    const text = await request.text();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    requests.push({ method, path });
    const fault = faults.take(emulator.provider, method, path);
    if (fault?.drop === 'before') throw connectionReset();
    const answer =
      fault && !fault.drop
        ? { status: fault.status ?? 500, headers: fault.headers, body: fault.body }
        : emulator.handle({ method, path, query: url.searchParams, headers, body: parse(text) });
    if (fault?.drop === 'after') throw connectionReset();
    const wire = serializeAnswer(answer);
    // A 204/304 answer carries no body: `Response` refuses one.
    const body = wire.status === 204 || wire.status === 304 ? null : wire.body;
    return new Response(body, { status: wire.status, headers: wire.headers });
  };

  return {
    fetch: emulatedFetch as typeof fetch,
    vendor: {
      requests: () => requests,
      contacts: () => emulator.contacts(),
      fail: (fault) => faults.add(fault),
      reset() {
        emulator.reset();
        requests.length = 0;
        faults.clear();
      },
    },
  };
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What `fetch` rejects with when the peer resets the connection. */
function connectionReset(): TypeError {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  });
}

function connectionRefused(host: string): TypeError {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error(`connect ECONNREFUSED ${host} (not the emulator)`), {
      code: 'ECONNREFUSED',
    }),
  });
}
