import { isDeepStrictEqual, parseArgs } from 'node:util';
import ky from 'ky';
import { createContactStore } from '../providers/registry.js';
import { callbellConfig } from './overhead.js';
import { type RemoteSandbox, serveIfSandboxChild, startRemoteSandbox } from './sandbox-process.js';
import { interleaved, median, ratios, spread } from './stats.js';
import { fixed, type Row, range, renderTable, verdict } from './table.js';
import { callbellByHand, contactAt, measure, runPool } from './workload.js';

/**
 * The transport, side by side in one run (`npm run bench -- --only 8`, or alone:
 * `node scripts/run-ts.mjs bench/transport.ts [--quick]`): Callbell creates through the library's
 * store, bare ky, `fetch`, and `fetch` with `AbortSignal.timeout`, against the sandbox served by a
 * child process (its CPU is not the client's). Client CPU per request is `process.cpuUsage()`
 * around the client's block only (no latency, so the CPU is not diluted by waiting); wall time is
 * measured at concurrency 16 with 10 ms of latency. Every block starts from an empty sandbox; the
 * sides are interleaved round by round and the medians reported.
 */

export type TransportSide = 'library' | 'ky' | 'fetch' | 'fetchTimeout';
export const TRANSPORT_SIDES: TransportSide[] = ['library', 'ky', 'fetch', 'fetchTimeout'];

export interface TransportCounts {
  requests: number;
  rounds: number;
  warmup: number;
}

export interface TransportResult {
  node: string;
  requests: number;
  rounds: number;
  /** Median client CPU ms per create, per side (no latency, concurrency 16). */
  cpu: Record<TransportSide, number>;
  /** Median of the per-round CPU ratios library ÷ bare ky, and their spread. */
  cpuOverKy: number;
  cpuOverKySpread: [number, number];
  /** Median wall ms per create, per side (10 ms latency, concurrency 16). */
  wall: Record<TransportSide, number>;
  /** Median of the per-round wall ratios library ÷ fetch loop, and their spread. */
  wallOverFetch: number;
  wallOverFetchSpread: [number, number];
}

const CONCURRENCY = 16;
const TIMEOUT_MS = 10_000;

/** The four clients: each creates contact i at Callbell and reads the answer. */
function transportClients(sandbox: RemoteSandbox) {
  const config = callbellConfig(sandbox);
  const token = (config as { apiToken: string }).apiToken;
  const store = createContactStore(config);
  const base = config.baseUrl;
  const body = (index: number) => callbellByHand.create(contactAt(index));
  if (!isDeepStrictEqual(store.preview('create', contactAt(3)).body, body(3))) {
    throw new Error(
      'the hand-written body differs from the library’s: the sides would not compare',
    );
  }
  const headers = {
    accept: 'application/json',
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
  };
  const api = ky.create({
    prefixUrl: base,
    retry: 0,
    timeout: TIMEOUT_MS,
    headers: { authorization: `Bearer ${token}` },
  });
  const byFetch = async (index: number, signal?: AbortSignal) => {
    const response = await fetch(`${base}/contacts`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body(index)),
      signal,
    });
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`create answered ${response.status}`);
    }
    await response.json();
  };
  const clients: Record<TransportSide, (index: number) => Promise<void>> = {
    library: async (index) => {
      await store.create(contactAt(index));
    },
    ky: async (index) => {
      await api.post('contacts', { json: body(index) }).json();
    },
    fetch: (index) => byFetch(index),
    fetchTimeout: (index) => byFetch(index, AbortSignal.timeout(TIMEOUT_MS)),
  };
  return clients;
}

async function run(
  sandbox: RemoteSandbox,
  counts: TransportCounts,
  log?: (text: string) => void,
): Promise<Record<TransportSide, { wallMs: number; cpuMs: number }[]>> {
  const clients = transportClients(sandbox);
  for (const side of TRANSPORT_SIDES) {
    await sandbox.reset();
    await runPool(counts.warmup, CONCURRENCY, clients[side]);
  }
  return (await interleaved(
    Object.fromEntries(
      TRANSPORT_SIDES.map((side) => [
        side,
        () => measure(() => runPool(counts.requests, CONCURRENCY, clients[side])),
      ]),
    ),
    counts.rounds,
    () => sandbox.reset(),
    log,
  )) as Record<TransportSide, { wallMs: number; cpuMs: number }[]>;
}

/** Both halves of the measure: CPU against `fast` (no latency), wall time against `slow` (10 ms). */
export async function measureTransport(
  fast: RemoteSandbox,
  slow: RemoteSandbox,
  counts: TransportCounts,
  log?: (text: string) => void,
): Promise<TransportResult> {
  log?.(`8. transport: client CPU, no latency, concurrency ${CONCURRENCY}`);
  const cpuSamples = await run(fast, counts, log);
  log?.(`8. transport: wall time, 10 ms latency, concurrency ${CONCURRENCY}`);
  const wallSamples = await run(slow, counts, log);
  const per = (values: number[]) => median(values) / counts.requests;
  const cpuOf = (side: TransportSide) => cpuSamples[side].map((sample) => sample.cpuMs);
  const wallOf = (side: TransportSide) => wallSamples[side].map((sample) => sample.wallMs);
  const cpuRatios = ratios(cpuOf('library'), cpuOf('ky'));
  const wallRatios = ratios(wallOf('library'), wallOf('fetch'));
  const bySide = (pick: (side: TransportSide) => number[]) =>
    Object.fromEntries(TRANSPORT_SIDES.map((side) => [side, per(pick(side))])) as Record<
      TransportSide,
      number
    >;
  return {
    node: process.version,
    requests: counts.requests,
    rounds: counts.rounds,
    cpu: bySide(cpuOf),
    cpuOverKy: median(cpuRatios),
    cpuOverKySpread: spread(cpuRatios),
    wall: bySide(wallOf),
    wallOverFetch: median(wallRatios),
    wallOverFetchSpread: spread(wallRatios),
  };
}

/** The rows of the bench table. */
export function transportRows(result: TransportResult): Row[] {
  const { cpu, wall } = result;
  const label = `8. ${result.requests} Callbell creates × ${result.rounds} rounds, concurrency ${CONCURRENCY}, node ${result.node}`;
  return [
    {
      measure: `${label}: client CPU ms/request, no latency`,
      library: fixed(cpu.library, 3),
      alternative: `ky ${fixed(cpu.ky, 3)}, fetch ${fixed(cpu.fetch, 3)}, fetch+timeout ${fixed(cpu.fetchTimeout, 3)}`,
      ratio: `${fixed(result.cpuOverKy, 2)} × ky (${range(result.cpuOverKySpread)})`,
      goal: '≤ 1.10 × ky',
      met: verdict(result.cpuOverKy <= 1.1),
    },
    {
      measure: `${label}: wall ms/request, 10 ms latency`,
      library: fixed(wall.library, 3),
      alternative: `ky ${fixed(wall.ky, 3)}, fetch ${fixed(wall.fetch, 3)}, fetch+timeout ${fixed(wall.fetchTimeout, 3)}`,
      ratio: `${fixed(result.wallOverFetch, 2)} × fetch (${range(result.wallOverFetchSpread)})`,
      goal: '≤ 1.35 × fetch',
      met: verdict(result.wallOverFetch <= 1.35),
    },
  ];
}

/** Run alone: the table, then the result as one JSON line (for docs/performance.md). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      requests: { type: 'string' },
    },
  });
  const counts: TransportCounts = values.quick
    ? { requests: 100, rounds: 2, warmup: 20 }
    : {
        requests: Number(values.requests ?? 1_000),
        rounds: Number(values.rounds ?? 7),
        warmup: 200,
      };
  const log = (text: string) => process.stderr.write(`${new Date().toISOString()} ${text}\n`);
  const [fast, slow] = await Promise.all([startRemoteSandbox(0), startRemoteSandbox(10)]);
  try {
    const result = await measureTransport(fast, slow, counts, log);
    process.stdout.write(`${renderTable(transportRows(result))}\n${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all([fast.close(), slow.close()]);
  }
}

if (process.argv[1]?.includes('transport') && !(await serveIfSandboxChild())) await main();
