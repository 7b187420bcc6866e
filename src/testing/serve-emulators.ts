import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidConfig } from '../errors.js';
import {
  createFaultQueue,
  type EmulatorResponse,
  type ProviderEmulator,
  serializeAnswer,
  type TargetedFault,
} from './emulator.js';
import { seededRandom } from './seeded-random.js';

/** What a faulted request gets. */
export type FaultKind = '500' | '502' | '503' | '429' | 'slow' | 'drop-before' | 'drop-after';

export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = [
  '500',
  '502',
  '503',
  '429',
  'drop-before',
  'drop-after',
];

/** Random fault injection: a share of requests gets a fault instead of the vendor's answer. */
export interface FaultOptions {
  /** Share of requests that fail, from 0 to 1. Default 0. */
  rate?: number | undefined;
  /** The faults drawn from, evenly. Default: 500, 502, 503, 429, drop-before, drop-after. */
  kinds?: FaultKind[] | undefined;
  /** `Retry-After` seconds sent with a 429 and a 503. Default 1. */
  retryAfter?: number | undefined;
  /** How long a `slow` fault holds the answer (after handling it), in ms. Default 15000. */
  slowMs?: number | undefined;
}

/** Options of {@link serveEmulators}. */
export interface ServeOptions {
  /**
   * Emulators by URL prefix: `{ callbell: … }` serves `/callbell/v1/…`; a list serves each under
   * its own `provider` name (`[acme]` serves `/acme/v2/…`).
   */
  emulators: Readonly<Record<string, ProviderEmulator>> | readonly ProviderEmulator[];
  /** Default 0: a free port. */
  port?: number | undefined;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string | undefined;
  /** Random faults. Default: none. */
  faults?: FaultOptions | undefined;
  /** Seed of the fault draws. Default 1. */
  seed?: number | undefined;
  /** Added to every answer, in ms: a near vendor. Default 0. */
  latencyMs?: number | undefined;
  /** Most requests kept in the log (oldest dropped first). Default 100000. */
  logLimit?: number | undefined;
  /** Called once per request, when it has been answered or dropped (the sandbox's page, `--log`). */
  onRequest?: ((entry: SandboxRequest, exchange: SandboxExchange) => void) | undefined;
  /** Requests whose path starts with `prefix` go to `handle` instead of an emulator (the page). */
  mount?:
    | {
        /** A path prefix that names no emulator, e.g. `/_sandbox`. */
        prefix: string;
        /** Answers the request. */
        handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>;
      }
    | undefined;
}

/** One vendor's switches: they override the sandbox-wide `faults.rate` and `latencyMs`. */
export interface VendorSwitches {
  /** Share of this vendor's requests that get a random fault, from 0 to 1. */
  faultRate?: number | undefined;
  /** Added to each of this vendor's answers, in ms. */
  latencyMs?: number | undefined;
  /** Every request to this vendor is answered 503 (with `Retry-After`), as a vendor down would. */
  down?: boolean | undefined;
}

/** The answer the sandbox sent to one request. */
export interface SandboxAnswer {
  /** The HTTP status. */
  status: number;
  /** The response headers, lower-case names. */
  headers: Record<string, string>;
  /** The response body as text. */
  body: string;
}

/** What went over the wire for one request, as received and answered (secrets included). */
export interface SandboxExchange {
  /** The query string, with its `?`, or `''`. */
  query: string;
  /** The request's headers, lower-case names. */
  headers: Record<string, string | undefined>;
  /** The request body as text. */
  body: string;
  /** The answer sent; absent when the connection was dropped before it. */
  answer?: SandboxAnswer | undefined;
}

/** One entry of the sandbox's request log. */
export interface SandboxRequest {
  /** The emulator that got it, by its sandbox name (e.g. `callbell`). */
  provider: string;
  /** The HTTP method. */
  method: string;
  /** Below the vendor's base path, without the query. */
  path: string;
  /** The status answered; 0 when the connection was dropped. */
  status: number;
  /** The random fault it met, if any. */
  fault?: FaultKind | undefined;
  /** The request met a fault planned with `inject`. */
  injected?: boolean | undefined;
  /** The vendor was switched down (`setVendorSwitches`): answered 503. */
  down?: boolean | undefined;
  /** When it arrived, in ms since the Unix epoch. */
  at: number;
  /** Its number in this sandbox's life, from 1 (`reset` does not restart it). */
  id?: number | undefined;
  /** From its arrival to its answer (or drop), in ms; set once answered. */
  durationMs?: number | undefined;
}

/** A running server of emulators, from {@link serveEmulators}. */
export interface RunningServer {
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The request log, oldest first (at most `logLimit` entries). */
  readonly requests: SandboxRequest[];
  /** The base URL a store of `name` takes. */
  baseUrl(name: string): string;
  /** Changes fault injection from now on (also resets the seed when given). */
  setFaults(faults: FaultOptions, seed?: number): void;
  /** Plans a failure for the next matching request(s), before the random faults are drawn. */
  inject(fault: TargetedFault): void;
  /** Sets one vendor's switches (replacing its previous ones; `{}` clears them). */
  setVendorSwitches(name: string, switches: VendorSwitches): void;
  /** One vendor's switches now. */
  vendorSwitches(name: string): VendorSwitches;
  /** Empties every emulator, the log and the planned failures. */
  reset(): void;
  /** Stops the server, dropping open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/**
 * Serves emulators over HTTP on a loopback address (127.0.0.1, a free port by default), with
 * fault injection and a request log: what `startSandbox` runs, and what an adapter outside this
 * package serves its own emulator with, to run its tests over real sockets.
 */
export async function serveEmulators(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) throw new Error('The sandbox listens on loopback addresses only');
  const emulators = emulatorsByName(options.emulators);
  const requests: SandboxRequest[] = [];
  const logLimit = options.logLimit ?? 100_000;
  let faults: FaultOptions = options.faults ?? {};
  let random = seededRandom(options.seed ?? 1);
  const planned = createFaultQueue();
  const switches = new Map<string, VendorSwitches>();
  let sequence = 0;

  const draw = (name: string): FaultKind | undefined => {
    const rate = switches.get(name)?.faultRate ?? faults.rate;
    if (!rate || random() >= rate) return undefined;
    const kinds = faults.kinds?.length ? faults.kinds : DEFAULT_FAULT_KINDS;
    return kinds[Math.floor(random() * kinds.length)];
  };

  const log = (entry: SandboxRequest) => {
    sequence += 1;
    entry.id = sequence;
    requests.push(entry);
    if (requests.length > logLimit) requests.splice(0, requests.length - logLimit);
  };

  /** Answers (or drops) a logged request, timing it and telling `onRequest`. */
  function finish(
    entry: SandboxRequest,
    call: { url: URL; request: IncomingMessage; text: string },
    response: ServerResponse,
    answer: EmulatorResponse | 'drop',
  ): void {
    const sent = answer === 'drop' ? undefined : send(response, answer);
    if (answer === 'drop') drop(call.request, response);
    entry.durationMs = Date.now() - entry.at;
    options.onRequest?.(entry, {
      query: call.url.search,
      headers: lowerCaseHeaders(call.request),
      body: call.text,
      ...(sent ? { answer: sent } : {}),
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    if (options.mount && url.pathname.startsWith(options.mount.prefix)) {
      return options.mount.handle(request, response, url);
    }
    const [, name = '', ...rest] = url.pathname.split('/');
    const emulator = Object.hasOwn(emulators, name) ? emulators[name] : undefined;
    const method = (request.method ?? 'GET').toUpperCase();
    const below = `/${rest.join('/')}`;
    if (!emulator || !below.startsWith(emulator.basePath)) {
      send(response, { status: 404, body: { error: 'No such sandbox route' } });
      return;
    }
    const path = below.slice(emulator.basePath.length) || '/';
    const text = await readBody(request);
    if (text === undefined) {
      const entry: SandboxRequest = { provider: name, method, path, status: 413, at: Date.now() };
      log(entry);
      return finish(entry, { url, request, text: '' }, response, {
        status: 413,
        body: { error: 'Body too large' },
      });
    }
    const targeted = planned.take(name, method, path);
    if (targeted) {
      return answerTargeted(
        targeted,
        emulator,
        { name, method, path, url, text },
        request,
        response,
      );
    }
    const vendor = switches.get(name) ?? {};
    const fault = vendor.down ? '503' : draw(name);
    const entry: SandboxRequest = {
      provider: name,
      method,
      path,
      status: 0,
      fault,
      ...(vendor.down ? { down: true } : {}),
      at: Date.now(),
    };
    log(entry);
    const call = { url, request, text };
    const latencyMs = vendor.latencyMs ?? options.latencyMs;
    if (latencyMs) await delay(latencyMs);
    if (fault === 'drop-before') return finish(entry, call, response, 'drop');
    const retryAfter = String(faults.retryAfter ?? 1);
    if (fault && /^\d+$/.test(fault)) {
      entry.status = Number(fault);
      const headers: Record<string, string> =
        fault === '429' || fault === '503' ? { 'retry-after': retryAfter } : {};
      const error = vendor.down ? 'Vendor switched down in the sandbox' : 'Injected fault';
      return finish(entry, call, response, { status: entry.status, headers, body: { error } });
    }
    const answer = emulator.handle({
      method,
      path,
      query: url.searchParams,
      headers: lowerCaseHeaders(request),
      body: parseBody(text),
    });
    entry.status = answer.status;
    if (fault === 'drop-after') return finish(entry, call, response, 'drop');
    if (fault === 'slow') await delay(faults.slowMs ?? 15_000);
    finish(entry, call, response, answer);
  }

  /** A planned failure: the status it names, or a connection dropped before or after the write. */
  function answerTargeted(
    fault: TargetedFault,
    emulator: ProviderEmulator,
    call: { name: string; method: string; path: string; url: URL; text: string },
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const entry: SandboxRequest = {
      provider: call.name,
      method: call.method,
      path: call.path,
      status: 0,
      injected: true,
      at: Date.now(),
    };
    log(entry);
    const wire = { url: call.url, request, text: call.text };
    if (!fault.drop) {
      entry.status = fault.status ?? 500;
      finish(entry, wire, response, {
        status: entry.status,
        headers: fault.headers,
        body: fault.body,
      });
      return;
    }
    if (fault.drop === 'before') {
      finish(entry, wire, response, 'drop');
      return;
    }
    entry.status = emulator.handle({
      method: call.method,
      path: call.path,
      query: call.url.searchParams,
      headers: lowerCaseHeaders(request),
      body: parseBody(call.text),
    }).status;
    finish(entry, wire, response, 'drop');
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, { status: 500, body: { error: 'Sandbox error' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: origin,
    port,
    requests,
    baseUrl: (name) =>
      `${origin}/${name}${Object.hasOwn(emulators, name) ? emulators[name]?.basePath : ''}`,
    inject: (fault) => planned.add(fault),
    setVendorSwitches(name, next) {
      switches.set(name, { ...next });
    },
    vendorSwitches: (name) => ({ ...switches.get(name) }),
    setFaults(next, seed) {
      faults = next;
      if (seed !== undefined) random = seededRandom(seed);
    },
    reset() {
      for (const emulator of Object.values(emulators)) emulator.reset();
      requests.length = 0;
      planned.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A list keyed by each emulator's `provider`; a name given twice is refused. */
function emulatorsByName(
  given: ServeOptions['emulators'],
): Readonly<Record<string, ProviderEmulator>> {
  if (!Array.isArray(given)) return given as Readonly<Record<string, ProviderEmulator>>;
  const byName: Record<string, ProviderEmulator> = {};
  for (const emulator of given as readonly ProviderEmulator[]) {
    if (Object.hasOwn(byName, emulator.provider)) {
      throw invalidConfig([
        { path: 'emulators', message: `two emulators are named '${emulator.provider}'` },
      ]);
    }
    byName[emulator.provider] = emulator;
  }
  return byName;
}

function send(
  response: ServerResponse,
  answer: EmulatorResponse,
): { status: number; headers: Record<string, string>; body: string } {
  const wire = serializeAnswer(answer);
  response.writeHead(wire.status, {
    ...wire.headers,
    'content-length': Buffer.byteLength(wire.body),
  });
  response.end(wire.body);
  return wire;
}

function drop(request: IncomingMessage, response: ServerResponse): void {
  request.socket.destroy();
  response.destroy();
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
