import { isDeepStrictEqual } from 'node:util';
import ky from 'ky';
import { type ContactStoreConfig, createContactStore } from '../providers/registry.js';
import type { ContactStore } from '../src/contact-store.js';
import type { RemoteSandbox } from './sandbox-process.js';
import { interleaved, median, ratios, spread } from './stats.js';
import { callbellByHand, contactAt, measure, patchAt, runPool } from './workload.js';

/** One block of creates and updates: wall and CPU time of the client process. */
interface Sample {
  wallMs: number;
  cpuMs: number;
}

export type Side = 'library' | 'ky' | 'fetch';

export interface OverheadResult {
  requests: number;
  rounds: number;
  /** Median of the per-round wall-time ratios library ÷ fetch loop, and their spread. */
  ratio: number;
  ratioSpread: [number, number];
  /** Median of the per-round ratios bare ky ÷ fetch loop (NaN when ky did not run). */
  kyRatio: number;
  /** Median CPU ms (user + system, this process) per request, per side. */
  cpuPerRequest: Partial<Record<Side, number>>;
  /** Median of the per-round CPU ratios library ÷ bare ky, and their spread. */
  cpuOverKy: number;
  cpuOverKySpread: [number, number];
  cpuOverFetch: number;
  /** Median wall ms per request, per side. */
  msPerRequest: { library: number; fetch: number; ky?: number };
}

/** The Callbell configuration of the sandbox, without the client-side 300/s default limit. */
export function callbellConfig(sandbox: RemoteSandbox): ContactStoreConfig & { baseUrl: string } {
  const config = sandbox.configs.find((item) => item.provider === 'callbell');
  if (!config?.baseUrl) throw new Error('the sandbox has no Callbell store');
  // The hand-written loop has no limiter: compare the same work (docs/performance.md).
  return { ...config, rateLimit: false } as ContactStoreConfig & { baseUrl: string };
}

/** The three clients of row 1: each creates then updates contact i. */
export function overheadClients(config: ContactStoreConfig & { baseUrl: string }) {
  const token = (config as { apiToken: string }).apiToken;
  const store: ContactStore = createContactStore(config);
  const headers = {
    accept: 'application/json',
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
  };
  const base = config.baseUrl;
  const api = ky.create({
    prefixUrl: base,
    retry: 0,
    headers: { authorization: `Bearer ${token}` },
  });

  assertSameBodies(store);

  const uuidOf = (body: unknown): string => {
    const contact = (body as { contact: { uuid: string } | { uuid: string }[] }).contact;
    return Array.isArray(contact) ? (contact[0] as { uuid: string }).uuid : contact.uuid;
  };

  return {
    library: async (index: number) => {
      const created = await store.create(contactAt(index));
      await store.update(created.id, patchAt(index));
    },
    ky: async (index: number) => {
      const created = await api.post('contacts', { json: callbellByHand.create(contactAt(index)) });
      const id = uuidOf(await created.json());
      await api.patch(`contacts/${id}`, { json: callbellByHand.update(patchAt(index)) }).json();
    },
    fetch: async (index: number) => {
      const created = await fetch(`${base}/contacts`, {
        method: 'POST',
        headers,
        body: JSON.stringify(callbellByHand.create(contactAt(index))),
      });
      if (!created.ok) throw new Error(`create answered ${created.status}`);
      const id = uuidOf(await created.json());
      const updated = await fetch(`${base}/contacts/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify(callbellByHand.update(patchAt(index))),
      });
      if (!updated.ok) throw new Error(`update answered ${updated.status}`);
      await updated.json();
    },
  };
}

/** The library must send what the hand-written loop sends, or the comparison means nothing. */
function assertSameBodies(store: ContactStore): void {
  const contact = contactAt(7);
  const create = store.preview('create', contact).body;
  const update = store.preview('update', patchAt(7), 'some-id').body;
  if (
    !isDeepStrictEqual(create, callbellByHand.create(contact)) ||
    !isDeepStrictEqual(update, callbellByHand.update(patchAt(7)))
  ) {
    throw new Error(
      `the hand-written bodies differ from the library's: ${JSON.stringify({ create, update })}`,
    );
  }
}

/**
 * Row 1: `requests` creates and updates per side and round (half creates, half updates), at
 * `concurrency`, the sides interleaved; the sandbox is emptied before every block.
 */
export async function measureOverhead(
  sandbox: RemoteSandbox,
  options: {
    requests: number;
    concurrency: number;
    rounds: number;
    warmup: number;
    sides: Side[];
    log?: (text: string) => void;
  },
): Promise<OverheadResult> {
  const clients = overheadClients(callbellConfig(sandbox));
  const pairs = options.requests / 2;
  // Warm-up: JIT, connection pools.
  for (const side of options.sides) {
    await sandbox.reset();
    await runPool(options.warmup, options.concurrency, clients[side]);
  }
  const samples = await interleaved<Sample>(
    Object.fromEntries(
      options.sides.map((side) => [
        side,
        () => measure(() => runPool(pairs, options.concurrency, clients[side])),
      ]),
    ),
    options.rounds,
    () => sandbox.reset(),
    options.log,
  );
  const wall = (side: Side) => samples[side]?.map((sample) => sample.wallMs) ?? [];
  const cpu = (side: Side) => samples[side]?.map((sample) => sample.cpuMs) ?? [];
  const has = (side: Side) => options.sides.includes(side);
  const timeRatios = ratios(wall('library'), wall('fetch'));
  const cpuRatios = has('ky') ? ratios(cpu('library'), cpu('ky')) : [Number.NaN];
  const perRequest = (values: number[]) => median(values) / options.requests;
  return {
    requests: options.requests,
    rounds: options.rounds,
    ratio: median(timeRatios),
    ratioSpread: spread(timeRatios),
    kyRatio: has('ky') ? median(ratios(wall('ky'), wall('fetch'))) : Number.NaN,
    cpuPerRequest: Object.fromEntries(options.sides.map((side) => [side, perRequest(cpu(side))])),
    cpuOverKy: median(cpuRatios),
    cpuOverKySpread: spread(cpuRatios),
    cpuOverFetch: median(ratios(cpu('library'), cpu('fetch'))),
    msPerRequest: {
      library: perRequest(wall('library')),
      fetch: perRequest(wall('fetch')),
      ...(has('ky') ? { ky: perRequest(wall('ky')) } : {}),
    },
  };
}
