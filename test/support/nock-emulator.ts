import nock from 'nock';
import type { EmulatorResponse, ProviderEmulator } from '../../src/emulator.js';

/** A response the mount returns instead of (or after) the emulator's. */
export interface Fault {
  method?: string;
  /** Matched against the path below the base path. */
  path?: RegExp;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Drop the connection before the emulator sees the request, or after it handled it. */
  drop?: 'before' | 'after';
  /** How many matching requests it applies to. Default 1. */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
  at: number;
}

export interface MountedEmulator {
  readonly requests: LoggedRequest[];
  fail(fault: Fault): void;
  /** Clears the request log and pending faults (not the emulator's state). */
  clear(): void;
}

/**
 * Serves `emulator` behind nock at `baseUrl` (its origin plus the emulator's base path), logging
 * every request and applying injected faults. Call `nock.cleanAll()` to unmount.
 */
export function mountEmulator(emulator: ProviderEmulator, origin: string): MountedEmulator {
  const requests: LoggedRequest[] = [];
  let faults: (Fault & { left: number })[] = [];

  const reply = async function (
    this: { req: { method: string; headers: Record<string, string | string[]> } },
    uri: string,
    body: unknown,
  ): Promise<[number, string, Record<string, string>]> {
    const url = new URL(uri, origin);
    const path = url.pathname.slice(emulator.basePath.length) || '/';
    const headers: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(this.req.headers)) {
      headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = this.req.method.toUpperCase();
    const parsedBody = typeof body === 'string' && body ? safeJson(body) : body || undefined;
    requests.push({
      method,
      path,
      query: url.searchParams,
      headers,
      body: parsedBody,
      at: Date.now(),
    });
    const fault = faults.find(
      (item) =>
        item.left > 0 &&
        (!item.method || item.method === method) &&
        (!item.path || item.path.test(path)),
    );
    if (fault) fault.left -= 1;
    faults = faults.filter((item) => item.left > 0);
    if (fault?.drop === 'before') throw connectionReset();
    if (fault && !fault.drop)
      return serialise({ status: fault.status ?? 500, headers: fault.headers, body: fault.body });
    const response = emulator.handle({
      method,
      path,
      query: url.searchParams,
      headers,
      body: parsedBody,
    });
    if (fault?.drop === 'after') throw connectionReset();
    return serialise(response);
  };

  for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
    nock(origin).persist()[method](/.*/).reply(reply);
  }

  return {
    requests,
    fail(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clear() {
      requests.length = 0;
      faults = [];
    },
  };
}

function serialise(response: EmulatorResponse): [number, string, Record<string, string>] {
  const body =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  const headers: Record<string, string> = { ...response.headers };
  if (body && typeof response.body !== 'string') headers['content-type'] ??= 'application/json';
  return [response.status, body, headers];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
