import { type ContactStoreConfig, createContactStore } from '../providers/registry.js';
import { createContactSync, memoryLinkStore } from '../src/index.js';
import type { RemoteSandbox } from './sandbox-process.js';
import { interleaved, median, ratios, spread } from './stats.js';
import { contactAt, measure, runPool } from './workload.js';

export interface BulkResult {
  records: number;
  rounds: number;
  /** Records per second, medians. */
  library: number;
  byHand: number;
  /** Median of the per-round throughput ratios library ÷ hand-written, and their spread. */
  ratio: number;
  ratioSpread: [number, number];
  /** Client CPU ms per record, medians. */
  cpuPerRecord: { library: number; byHand: number };
  /** Share of the wall time the client process was on a CPU (1 = CPU-bound), medians. */
  cpuBusy: { library: number; byHand: number };
}

type Config = ContactStoreConfig & { baseUrl: string; [key: string]: unknown };

/**
 * The hand-written alternative of a push to the three vendors: the requests the library sends for
 * a new record, written out (SMS Partner: add; Callbell: lookup by phone, then create; Notificore:
 * log in and read the field ids once, then search by phone, then create).
 */
function handWrittenPush(configs: Config[]) {
  const of = (provider: string) => configs.find((config) => config.provider === provider) as Config;
  const smspartner = of('smspartner');
  const callbell = of('callbell');
  const notificore = of('notificore');
  const json = { accept: 'application/json', 'content-type': 'application/json' };
  const callbellHeaders = { ...json, authorization: `Bearer ${callbell.apiToken}` };
  let notificoreHeaders: Record<string, string> = json;
  let fieldIds: Record<string, number> = {};

  const call = async (url: string, init: RequestInit, accept: number[] = []) => {
    const response = await fetch(url, init);
    if (!response.ok && !accept.includes(response.status)) {
      throw new Error(`${init.method} ${url} answered ${response.status}`);
    }
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  return {
    async logIn() {
      const login = await call(`${notificore.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ api_key: notificore.apiKey }),
      });
      notificoreHeaders = { ...json, authorization: `Bearer ${login.body.bearer}` };
      const fields = await call(`${notificore.baseUrl}/api/contacts/fields`, {
        method: 'GET',
        headers: notificoreHeaders,
      });
      fieldIds = Object.fromEntries(
        (fields.body.data as { id: number; name: string }[]).map((field) => [field.name, field.id]),
      );
      // SMS Partner has no lookup by phone: an upsert reads the group once (one page while it is
      // empty), as the library's phone index does.
      const group = new URLSearchParams({
        apiKey: String(smspartner.apiKey),
        groupId: String(smspartner.groupId),
        page: '1',
      });
      await call(`${smspartner.baseUrl}/contact/list?${group}`, { method: 'GET', headers: json });
      // Callbell validates custom-field values by type (since 2026-03-03): a careful integration
      // reads the types once, as the library does, before writing custom fields.
      await call(`${callbell.baseUrl}/contacts?include_field_types=true`, {
        method: 'GET',
        headers: callbellHeaders,
      });
    },
    async push(index: number) {
      const contact = contactAt(index);
      const digits = contact.phone!.slice(1);
      const company = contact.customFields?.company as string;
      await Promise.all([
        call(`${smspartner.baseUrl}/contact/add`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            apiKey: smspartner.apiKey,
            groupId: smspartner.groupId,
            contact: {
              phoneNumber: contact.phone,
              firstname: contact.firstName,
              lastname: contact.lastName,
              custom1: company,
            },
          }),
        }),
        (async () => {
          const found = await call(
            `${callbell.baseUrl}/contacts/phone/${digits}`,
            { method: 'GET', headers: callbellHeaders },
            [404],
          );
          if (found.status !== 404) return;
          await call(`${callbell.baseUrl}/contacts`, {
            method: 'POST',
            headers: callbellHeaders,
            body: JSON.stringify({
              identifier: digits,
              source: 'whatsapp',
              name: `${contact.firstName} ${contact.lastName}`,
              custom_fields: {
                'First name': contact.firstName,
                'Last name': contact.lastName,
                Company: company,
              },
            }),
          });
        })(),
        (async () => {
          const query = new URLSearchParams({
            'search[field]': 'phone',
            'search[operator]': '=',
            'search[operation]': '=',
            'search[value]': digits,
          });
          const found = await call(`${notificore.baseUrl}/api/contacts/search?${query}`, {
            method: 'GET',
            headers: notificoreHeaders,
          });
          if ((found.body.data as unknown[]).length) return;
          await call(`${notificore.baseUrl}/api/contacts`, {
            method: 'POST',
            headers: notificoreHeaders,
            body: JSON.stringify({
              phone: Number(digits),
              fields: [
                { id: fieldIds['First name'], value: contact.firstName },
                { id: fieldIds['Last name'], value: contact.lastName },
                { id: fieldIds.Company, value: company },
              ],
            }),
          });
        })(),
      ]);
    },
  };
}

/** The library side: a fresh ContactSync (fresh stores: one login each) per block. */
function libraryPush(configs: Config[]) {
  // The hand-written loop has no limiter (Callbell's default is 300/s): compare the same work.
  const stores = configs.map((config) => createContactStore({ ...config, rateLimit: false }));
  return createContactSync({ stores, links: memoryLinkStore() });
}

/** The request lines (method and path, ids blanked) that pushing records 0…count-1 sends. */
export async function requestShapes(
  sandbox: RemoteSandbox,
  side: 'library' | 'byHand',
  count: number,
): Promise<string[]> {
  await sandbox.reset();
  const configs = sandbox.configs as Config[];
  if (side === 'library') {
    const sync = libraryPush(configs);
    const records = Array.from({ length: count }, (_, index) => ({
      key: `k${index}`,
      contact: contactAt(index),
    }));
    for await (const report of sync.pushMany(records, { concurrency: 1 })) {
      if (report.results.some((result) => result.status !== 'created')) {
        throw new Error(`bulk push: ${JSON.stringify(report.results)}`);
      }
    }
  } else {
    const byHand = handWrittenPush(configs);
    await byHand.logIn();
    for (let index = 0; index < count; index += 1) await byHand.push(index);
  }
  return (await sandbox.requests())
    .map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{8,}/g, '…')}`)
    .sort();
}

/**
 * Row 2: `records` records per side pushed to the three vendors at `concurrency`, split into
 * `rounds` interleaved blocks, the sandbox emptied before each.
 */
export async function measureBulk(
  sandbox: RemoteSandbox,
  options: { records: number; rounds: number; concurrency: number; log?: (text: string) => void },
): Promise<BulkResult> {
  const library = await requestShapes(sandbox, 'library', 3);
  const byHand = await requestShapes(sandbox, 'byHand', 3);
  if (library.join('\n') !== byHand.join('\n')) {
    throw new Error(`bulk push: the two sides send different requests:\n${library}\n${byHand}`);
  }
  const configs = sandbox.configs as Config[];
  const perBlock = Math.floor(options.records / options.rounds);
  // Warm-up (JIT, connections) of both sides, not measured.
  await pushByLibrary(configs, Math.min(200, perBlock), options.concurrency);
  await sandbox.reset();
  await pushByHand(configs, Math.min(200, perBlock), options.concurrency);
  const samples = await interleaved(
    {
      library: () => measure(() => pushByLibrary(configs, perBlock, options.concurrency)),
      byHand: () => measure(() => pushByHand(configs, perBlock, options.concurrency)),
    },
    options.rounds,
    () => sandbox.reset(),
    options.log,
  );
  const cpuShare = (name: string) =>
    median(samples[name]?.map((sample) => sample.cpuMs / sample.wallMs) ?? []);
  const cpuPerRecord = (name: string) =>
    median(samples[name]?.map((sample) => sample.cpuMs / perBlock) ?? []);
  const rate = (name: string) =>
    samples[name]?.map((sample) => (perBlock * 1000) / sample.wallMs) ?? [];
  const perRound = ratios(rate('library'), rate('byHand'));
  return {
    records: perBlock * options.rounds,
    rounds: options.rounds,
    library: median(rate('library')),
    byHand: median(rate('byHand')),
    ratio: median(perRound),
    ratioSpread: spread(perRound),
    cpuPerRecord: { library: cpuPerRecord('library'), byHand: cpuPerRecord('byHand') },
    cpuBusy: { library: cpuShare('library'), byHand: cpuShare('byHand') },
  };
}

async function pushByLibrary(configs: Config[], count: number, concurrency: number) {
  const sync = libraryPush(configs);
  const records = (function* () {
    for (let index = 0; index < count; index += 1) {
      yield { key: `k${index}`, contact: contactAt(index) };
    }
  })();
  for await (const report of sync.pushMany(records, { concurrency })) {
    if (report.results.some((result) => result.status === 'failed')) {
      throw new Error(`bulk push failed: ${JSON.stringify(report.results)}`);
    }
  }
}

async function pushByHand(configs: Config[], count: number, concurrency: number) {
  const byHand = handWrittenPush(configs);
  await byHand.logIn();
  await runPool(count, concurrency, byHand.push);
}
