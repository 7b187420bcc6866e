import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { CallbellWebhookDeliverer } from '../callbell/webhooks.js';
import type { ProviderEmulator } from '../emulator.js';
import type {
  RunningServer,
  SandboxExchange,
  SandboxRequest,
  ServeOptions,
  VendorSwitches,
} from '../server.js';
import {
  maskPhone,
  type RedactOptions,
  redactBody,
  redactHeaders,
  redactPath,
  redactQuery,
  redactString,
  redactValue,
  routeOf,
  secretsOf,
} from './redact.js';

/** Where the page's routes live, on the sandbox's own port. */
export const UI_PREFIX = '/_sandbox';

/** Requests whose bodies the page keeps (newest), to open them. */
const DETAIL_LIMIT = 2_000;
/** Seconds of requests-per-second history. */
const SECONDS = 60;
const MAX_JSON_BODY = 64 * 1024;
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

interface Detail {
  entry: SandboxRequest;
  exchange: SandboxExchange;
}

interface RouteCount {
  vendor: string;
  method: string;
  route: string;
  count: number;
  /** By status class: `2xx`, `4xx`, `5xx`, `dropped`… */
  statuses: Record<string, number>;
  totalMs: number;
}

/** The page's state and routes, mounted on the sandbox's server (see docs/sandbox.md). */
export interface SandboxUi {
  /** What `serveEmulators` mounts under `/_sandbox`. */
  readonly mount: NonNullable<ServeOptions['mount']>;
  /** Records one answered request (the server's `onRequest`). */
  observe(entry: SandboxRequest, exchange: SandboxExchange): void;
  /** Gives the page the running server (its switches, reset and origin). */
  attach(server: RunningServer): void;
  /** Forgets the kept requests and counts (the sandbox's `reset`). */
  clear(): void;
}

/** Options of {@link createSandboxUi}. */
export interface SandboxUiOptions {
  /** The emulators served, by sandbox name: whatever the sandbox runs, shown in that order. */
  emulators: Record<string, ProviderEmulator>;
  /** Secrets known by value (the sandbox's credentials, the webhook secret). */
  secrets: readonly string[];
  /** Callbell's webhook deliveries, when the sandbox sends them. */
  webhook?: CallbellWebhookDeliverer;
}

/** The sandbox's web page and its JSON endpoints (`startSandbox({ ui: true })`). */
export function createSandboxUi(options: SandboxUiOptions): SandboxUi {
  let server: RunningServer | undefined;
  let details: Detail[] = [];
  const counts = new Map<string, RouteCount>();
  /** Requests per second, per vendor: second (Unix) → vendor → count. */
  const perSecond = new Map<number, Map<string, number>>();
  const listeners = new Set<ServerResponse>();
  const names = () => Object.keys(options.emulators);

  function observe(entry: SandboxRequest, exchange: SandboxExchange): void {
    details.push({ entry, exchange });
    if (details.length > DETAIL_LIMIT * 1.5) details = details.slice(-DETAIL_LIMIT);
    const route = routeOf(entry.path);
    const key = `${entry.provider} ${entry.method} ${route}`;
    let count = counts.get(key);
    if (!count) {
      count = {
        vendor: entry.provider,
        method: entry.method,
        route,
        count: 0,
        statuses: {},
        totalMs: 0,
      };
      counts.set(key, count);
    }
    count.count += 1;
    const kind = statusClass(entry.status);
    count.statuses[kind] = (count.statuses[kind] ?? 0) + 1;
    count.totalMs += entry.durationMs ?? 0;
    const second = Math.floor(entry.at / 1000);
    let bucket = perSecond.get(second);
    if (!bucket) {
      bucket = new Map();
      perSecond.set(second, bucket);
      for (const old of perSecond.keys()) if (old < second - SECONDS * 2) perSecond.delete(old);
    }
    bucket.set(entry.provider, (bucket.get(entry.provider) ?? 0) + 1);
    if (listeners.size) {
      const line = `event: request\ndata: ${JSON.stringify(summary(entry, false))}\n\n`;
      for (const listener of listeners) listener.write(line);
    }
  }

  function summary(entry: SandboxRequest, phones: boolean) {
    return {
      id: entry.id,
      vendor: entry.provider,
      method: entry.method,
      path: redactPath(entry.path, { secrets: options.secrets, phones }),
      route: routeOf(entry.path),
      status: entry.status,
      durationMs: entry.durationMs ?? null,
      fault: entry.down ? 'down' : entry.injected ? 'planned' : (entry.fault ?? null),
      at: entry.at,
    };
  }

  function detail(found: Detail, phones: boolean) {
    const { entry, exchange } = found;
    const redact: RedactOptions = {
      secrets: [
        ...options.secrets,
        ...secretsOf(exchange.headers, exchange.query, [
          exchange.body,
          exchange.answer?.body ?? '',
        ]),
      ],
      phones,
    };
    return {
      ...summary(entry, phones),
      request: {
        url: `${redactPath(entry.path, redact)}${redactQuery(exchange.query, redact)}`,
        headers: redactHeaders(exchange.headers, redact),
        body: redactBody(exchange.body, redact),
      },
      answer: exchange.answer
        ? {
            status: exchange.answer.status,
            headers: redactHeaders(exchange.answer.headers, redact),
            body: redactBody(exchange.answer.body, redact),
          }
        : null,
    };
  }

  function vendors() {
    return names().map((name) => {
      const emulator = options.emulators[name] as ProviderEmulator;
      return {
        name,
        provider: emulator.provider,
        baseUrl: server?.baseUrl(name) ?? null,
        contacts: emulator.contacts().length,
        stopList: emulator.stopEntries?.().length ?? null,
        switches: server?.vendorSwitches(name) ?? {},
      };
    });
  }

  function contacts(name: string, query: URLSearchParams) {
    const emulator = options.emulators[name] as ProviderEmulator;
    const phones = query.get('phones') === '1';
    const redact = { secrets: options.secrets, phones };
    const limit = clampInt(query.get('limit'), 1, 1000, 200);
    const wanted = query.get('q')?.trim() ?? '';
    const stops = emulator.stopEntries?.() ?? [];
    const all = emulator.contacts();
    const matched = wanted ? all.filter((contact) => matches(contact, wanted)) : all;
    return {
      vendor: name,
      total: all.length,
      matched: matched.length,
      contacts: matched.slice(0, limit).map((contact) => ({
        id: contact.id,
        phone: phones ? contact.phone : maskPhone(contact.phone),
        name: nameOf(contact.record),
        lists: contact.lists ?? [],
        stopList: stops
          .filter((entry) => entry.phone === contact.phone)
          .map((entry) => redactValue(entry.record, redact)),
        record: redactValue(contact.record, redact),
      })),
      stopList: stops.map((entry) => ({
        phone: phones ? entry.phone : maskPhone(entry.phone),
        record: redactValue(entry.record, redact),
      })),
    };
  }

  function stats() {
    const now = Math.floor(Date.now() / 1000);
    const series: Record<string, number[]> = {};
    for (const name of names()) {
      series[name] = Array.from(
        { length: SECONDS },
        (_, index) => perSecond.get(now - SECONDS + 1 + index)?.get(name) ?? 0,
      );
    }
    const routes = [...counts.values()]
      .sort((a, b) => a.vendor.localeCompare(b.vendor) || b.count - a.count)
      .map(({ totalMs, ...count }) => ({
        ...count,
        meanMs: count.count ? Math.round(totalMs / count.count) : 0,
      }));
    const perVendor: Record<string, number> = Object.fromEntries(names().map((name) => [name, 0]));
    for (const count of routes)
      perVendor[count.vendor] = (perVendor[count.vendor] ?? 0) + count.count;
    return {
      total: routes.reduce((sum, count) => sum + count.count, 0),
      perVendor,
      routes,
      perSecond: { end: now, seconds: SECONDS, vendors: series },
    };
  }

  function webhooks(phones: boolean) {
    const hook = options.webhook;
    if (!hook) return { enabled: false, target: null, deliveries: [] };
    const redact = { secrets: options.secrets, phones };
    return {
      enabled: true,
      target: redactString(hook.url, redact),
      deliveries: [...hook.deliveries].reverse().map((delivery, index, all) => ({
        number: all.length - index,
        event: delivery.event,
        contact: delivery.id,
        delivered: delivery.delivered,
        attempts: delivery.attempts.map((attempt) => ({ ...attempt })),
      })),
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL) {
    const refusal = refuse(request, server);
    if (refusal) return json(response, 403, { error: refusal });
    const path = url.pathname.slice(UI_PREFIX.length) || '/';
    const method = request.method ?? 'GET';
    const asset = ASSETS[path];
    if (asset && (method === 'GET' || method === 'HEAD')) return file(response, asset);
    if (path === '' || path === '/index.html') return redirect(response, `${UI_PREFIX}/`);
    const phones = url.searchParams.get('phones') === '1';
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'api') return json(response, 404, { error: 'No such page' });
    const [, resource, name, action] = parts;
    if (method === 'GET') {
      if (resource === 'vendors' && !name) return json(response, 200, { vendors: vendors() });
      if (resource === 'vendors' && name && action === 'contacts') {
        if (!Object.hasOwn(options.emulators, name)) return noVendor(response, name);
        return json(response, 200, contacts(name, url.searchParams));
      }
      if (resource === 'requests' && !name) {
        return json(response, 200, requestList(url.searchParams, phones));
      }
      if (resource === 'requests' && name) {
        const found = details.find((item) => String(item.entry.id) === name);
        if (!found) return json(response, 404, { error: `No kept request ${name}` });
        return json(response, 200, detail(found, phones));
      }
      if (resource === 'stats') return json(response, 200, stats());
      if (resource === 'webhooks') return json(response, 200, webhooks(phones));
      if (resource === 'events') return events(request, response);
      return json(response, 404, { error: 'No such endpoint' });
    }
    if (method !== 'POST') return json(response, 405, { error: 'GET or POST' });
    const body = await readJson(request);
    if (body instanceof Error) return json(response, 400, { error: body.message });
    if (resource === 'reset' && !name) {
      server?.reset();
      for (const vendor of names()) server?.setVendorSwitches(vendor, {});
      clear();
      broadcast('reset');
      return json(response, 200, { vendors: vendors() });
    }
    if (resource === 'vendors' && name && (action === 'switches' || action === 'reset')) {
      if (!Object.hasOwn(options.emulators, name)) return noVendor(response, name);
      if (action === 'reset') {
        options.emulators[name]?.reset();
        server?.setVendorSwitches(name, {});
      } else {
        const switches = readSwitches(body);
        if (typeof switches === 'string') return json(response, 400, { error: switches });
        server?.setVendorSwitches(name, { ...server.vendorSwitches(name), ...switches });
      }
      broadcast('vendors');
      return json(
        response,
        200,
        vendors().find((vendor) => vendor.name === name),
      );
    }
    return json(response, 404, { error: 'No such endpoint' });
  }

  function requestList(query: URLSearchParams, phones: boolean) {
    const log = server?.requests ?? [];
    const after = Number(query.get('after') ?? 0);
    const vendor = query.get('vendor');
    const limit = clampInt(query.get('limit'), 1, 1000, 200);
    const shown: ReturnType<typeof summary>[] = [];
    for (let index = log.length - 1; index >= 0 && shown.length < limit; index -= 1) {
      const entry = log[index] as SandboxRequest;
      if ((entry.id ?? 0) <= after) break;
      if (entry.durationMs === undefined) continue;
      if (vendor && entry.provider !== vendor) continue;
      shown.push(summary(entry, phones));
    }
    return { total: log.length, requests: shown };
  }

  function events(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    listeners.add(response);
    request.on('close', () => listeners.delete(response));
  }

  function broadcast(event: string): void {
    for (const listener of listeners) listener.write(`event: ${event}\ndata: {}\n\n`);
  }

  function clear(): void {
    details = [];
    counts.clear();
    perSecond.clear();
  }

  return {
    mount: { prefix: UI_PREFIX, handle },
    observe,
    attach(running) {
      server = running;
    },
    clear,
  };
}

/**
 * Why a request to the page is refused, if it is: a `Host` other than the sandbox's own
 * (DNS rebinding), or a state change from another origin (a page elsewhere flipping switches).
 */
function refuse(request: IncomingMessage, server: RunningServer | undefined): string | undefined {
  if (!server) return 'The sandbox is starting';
  const port = server.port;
  const host = request.headers.host ?? '';
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!allowed.includes(host)) return 'The sandbox answers its own host only (127.0.0.1)';
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && !allowed.some((own) => origin === `http://${own}`)) {
    return 'Cross-origin requests may not change the sandbox';
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return 'Cross-origin requests may not change the sandbox';
  }
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    return 'State changes take a JSON body (content-type: application/json)';
  }
  return undefined;
}

function readSwitches(body: unknown): VendorSwitches | string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'The body must be an object';
  const switches: VendorSwitches = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'faultRate') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        return 'faultRate must be a number from 0 to 1';
      }
      switches.faultRate = value;
    } else if (key === 'latencyMs') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 60_000) {
        return 'latencyMs must be a whole number of ms from 0 to 60000';
      }
      switches.latencyMs = value;
    } else if (key === 'down') {
      if (typeof value !== 'boolean') return 'down must be true or false';
      switches.down = value;
    } else {
      return `Unknown switch ${JSON.stringify(key).slice(0, 40)}: faultRate, latencyMs or down`;
    }
  }
  return switches;
}

function matches(contact: { id: string; phone: string; record: unknown }, wanted: string): boolean {
  const needle = fold(wanted);
  const digits = wanted.replace(/\D/g, '');
  if (digits.length >= 3 && /^[\d\s+().-]+$/.test(wanted)) {
    const held = contact.phone.replace(/\D/g, '');
    // A national number (06…) matches the E.164 one without its 0.
    return held.includes(digits) || (digits.startsWith('0') && held.includes(digits.slice(1)));
  }
  return fold(`${contact.id} ${JSON.stringify(contact.record)}`).includes(needle);
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A display name from a vendor object: `name`, or first and last names. */
function nameOf(record: unknown): string {
  if (!record || typeof record !== 'object') return '';
  const held = record as Record<string, unknown>;
  if (typeof held.name === 'string') return held.name;
  const first = held.firstname ?? held.firstName ?? held.first_name ?? '';
  const last = held.lastname ?? held.lastName ?? held.last_name ?? '';
  return `${typeof first === 'string' ? first : ''} ${typeof last === 'string' ? last : ''}`.trim();
}

function statusClass(status: number): string {
  return status === 0 ? 'dropped' : `${Math.floor(status / 100)}xx`;
}

function clampInt(text: string | null, min: number, max: number, fallback: number): number {
  const value = Number(text);
  if (!text || !Number.isInteger(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_JSON_BODY) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_JSON_BODY) return resolve(new Error('The body is too large'));
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(new Error('The body is not JSON'));
      }
    });
    request.on('error', () => resolve(new Error('The body could not be read')));
  });
}

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function noVendor(response: ServerResponse, name: string): void {
  json(response, 404, {
    error: `The sandbox runs no vendor named ${JSON.stringify(name).slice(0, 40)}`,
  });
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { ...HEADERS, location });
  response.end();
}

const assetCache = new Map<string, Buffer>();

/**
 * The page's files: next to this module in the sources (sandbox/ui/assets/), copied by the build
 * to dist/sandbox-ui/ (the bundled module sits in dist/).
 */
function file(response: ServerResponse, name: string): void {
  let content = assetCache.get(name);
  if (!content) {
    const folder = [
      new URL('./assets/', import.meta.url),
      new URL('./sandbox-ui/', import.meta.url),
    ]
      .map((candidate) => fileURLToPath(candidate))
      .find((candidate) => existsSync(`${candidate}${name}`));
    if (!folder) {
      json(response, 500, { error: `The page's file ${name} is missing` });
      return;
    }
    content = readFileSync(`${folder}${name}`);
    assetCache.set(name, content);
  }
  response.writeHead(200, {
    ...HEADERS,
    'content-type': TYPES[name.split('.').pop() as string] as string,
    'content-length': content.length,
    // Nothing from elsewhere: the page's own files, its own endpoints.
    'content-security-policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  });
  response.end(content);
}
