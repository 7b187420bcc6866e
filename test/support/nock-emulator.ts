import nock from 'nock';
import {
  createFaultQueue,
  type ProviderEmulator,
  serializeAnswer,
  type TargetedFault,
} from '../../sandbox/emulator.js';

/** A response the mount returns instead of (or after) the emulator's. */
export type Fault = TargetedFault;

export interface LoggedRequest {
  method: string;
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  at: number;
}

export interface MountedEmulator {
  readonly requests: LoggedRequest[];
  fail(fault: Fault): void;
  /** Clears the request log and pending faults (not the emulator's state). */
  clear(): void;
}

/**
 * Serves `emulator` behind nock at `origin` (plus the emulator's base path), logging every
 * request and applying injected faults. Call `nock.cleanAll()` to unmount.
 */
export function mountEmulator(emulator: ProviderEmulator, origin: string): MountedEmulator {
  const requests: LoggedRequest[] = [];
  const faults = createFaultQueue();

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
    const request = { method, path, query: url.searchParams, headers, body: parsedBody };
    requests.push({ ...request, at: Date.now() });
    const fault = faults.take(emulator.provider, method, path);
    if (fault?.drop === 'before') throw connectionReset();
    if (fault && !fault.drop) {
      return wire({ status: fault.status ?? 500, headers: fault.headers, body: fault.body });
    }
    const response = emulator.handle(request);
    if (fault?.drop === 'after') throw connectionReset();
    return wire(response);
  };

  for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
    nock(origin).persist()[method](/.*/).reply(reply);
  }

  return {
    requests,
    fail: (fault) => faults.add(fault),
    clear() {
      requests.length = 0;
      faults.clear();
    },
  };
}

function wire(
  answer: Parameters<typeof serializeAnswer>[0],
): [number, string, Record<string, string>] {
  const { status, headers, body } = serializeAnswer(answer);
  return [status, body, headers];
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
