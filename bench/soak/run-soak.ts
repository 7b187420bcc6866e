import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/main.js';
import { textTable } from '../../cli/text-table.js';
import { type FaultKind, type Sandbox, startSandbox } from '../../sandbox/index.js';
import { fileLinkStore } from '../../src/sync/index.js';

/** Every fault the sandbox can inject: what the soak draws from. */
export const SOAK_FAULT_KINDS: FaultKind[] = [
  '500',
  '502',
  '503',
  '429',
  'slow',
  'drop-before',
  'drop-after',
];

export interface SoakOptions {
  /** Contacts pushed to every vendor. Default 10000. */
  contacts?: number;
  /** Share of requests the sandbox fails. Default 0.2. */
  faultRate?: number;
  /** Seed of the fault draws. Default 1. */
  seed?: number;
  /** Records in flight (`push --concurrency`). Default 32. */
  concurrency?: number;
  /** The stores' per-attempt timeout in ms; a `slow` fault answers after `slowMs`. Default 500. */
  timeout?: number;
  /** How long a `slow` fault holds its answer, in ms. Default 800 (past the timeout). */
  slowMs?: number;
  /** The `Retry-After` of a 429 or 503, in seconds (fractions allowed). Default 0.1. */
  retryAfterSeconds?: number;
  /** The stores' retry policy. Default `{ retries: 3, minTimeout: 50, maxTimeout: 1000 }`. */
  retry?: { retries: number; minTimeout: number; maxTimeout: number };
  /** Then pushes the rejects file again without faults, and checks every contact is there. */
  rerunRejects?: boolean;
  /** Called with the figures of the faulty run before any rerun. */
  onFigures?: (figures: SoakFigures) => void;
  /** Progress notes. Default: none. */
  log?: (line: string) => void;
}

export interface VendorFigures {
  provider: string;
  /** Distinct input phones the vendor holds. */
  stored: number;
  /** Input contacts absent at the vendor although no failure was reported for them. */
  lost: number;
  /** Contacts held more than once (the count of extra copies). */
  duplicated: number;
  /** Rows reported `failed` at this vendor (retries exhausted or not retryable). */
  failed: number;
  /** Of those, the rows missing from the rejects file (must be 0). */
  failedNotInRejects: number;
  /** Links pointing at a contact that does not hold the row's phone (must be 0). */
  badLinks: number;
  /** HTTP requests the vendor received. */
  requests: number;
  /** Requests of which a fault was injected. */
  faults: number;
  /** Failure codes of the failed rows: `timeout: 3`. */
  failureCodes: Record<string, number>;
}

export interface SoakFigures {
  contacts: number;
  faultRate: number;
  seed: number;
  elapsedMs: number;
  exitCode: number;
  /** Rows with at least one failed vendor. */
  failedRows: number;
  /** Rows written to `--rejects`. */
  rejectedRows: number;
  /** Rows in the rejects file that did not fail (must be 0). */
  rejectedButSynced: number;
  /** Report lines missing (one is expected per row and vendor). */
  missingReportLines: number;
  faultsByKind: Record<string, number>;
  vendors: VendorFigures[];
  /** After pushing the rejects again without faults: lost and duplicated per vendor. */
  rerun?: { exitCode: number; lost: number; duplicated: number; requests: number };
}

const PROVIDERS = ['smspartner', 'callbell', 'notificore'] as const;

/** The phone of input row `index`: distinct valid French mobiles. */
export const soakPhone = (index: number) => `+336${String(10_000_000 + index).slice(-8)}`;

/**
 * Pushes `contacts` rows through the command line's push path (`--links --report --rejects`) to
 * the three vendors of a sandbox that fails a share of the requests, then compares what the
 * vendors hold with the input.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakFigures> {
  const contacts = options.contacts ?? 10_000;
  const faultRate = options.faultRate ?? 0.2;
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => undefined);
  const directory = await mkdtemp(join(tmpdir(), 'contact-sync-soak-'));
  const sandbox = await startSandbox({
    seed,
    faults: {
      rate: faultRate,
      kinds: SOAK_FAULT_KINDS,
      retryAfter: options.retryAfterSeconds ?? 0.1,
      slowMs: options.slowMs ?? 800,
    },
  });
  const tally = countRequests(sandbox);
  try {
    const paths = await writeInputs(directory, sandbox, contacts, options);
    log(`pushing ${contacts} contacts to ${PROVIDERS.join(', ')} at fault rate ${faultRate}`);
    const started = performance.now();
    const exitCode = await cli([
      'push',
      paths.input,
      '--config',
      paths.config,
      '--links',
      paths.links,
      '--report',
      paths.report,
      '--rejects',
      paths.rejects,
      '--concurrency',
      String(options.concurrency ?? 32),
    ]);
    const elapsedMs = performance.now() - started;
    tally.drain();
    const figures = await compare(sandbox, paths, contacts, tally);
    const result: SoakFigures = {
      contacts,
      faultRate,
      seed,
      elapsedMs,
      exitCode,
      faultsByKind: { ...tally.byKind },
      ...figures,
    };
    options.onFigures?.(result);
    if (options.rerunRejects && figures.rejectedRows > 0) {
      log(`pushing the ${figures.rejectedRows} rejected rows again without faults`);
      sandbox.setFaults({});
      const before = tally.total();
      const rerunCode = await cli([
        'push',
        paths.rejects,
        '--config',
        paths.config,
        '--links',
        paths.links,
      ]);
      tally.drain();
      const held = heldPhones(sandbox);
      let lost = 0;
      let duplicated = 0;
      for (const provider of PROVIDERS) {
        const phones = held.get(provider) ?? new Map<string, number>();
        for (let index = 0; index < contacts; index++) {
          if (!phones.has(soakPhone(index))) lost += 1;
        }
        for (const count of phones.values()) duplicated += count - 1;
      }
      result.rerun = { exitCode: rerunCode, lost, duplicated, requests: tally.total() - before };
    }
    return result;
  } finally {
    tally.stop();
    await sandbox.close();
    await rm(directory, { recursive: true, force: true });
  }
}

interface Paths {
  input: string;
  config: string;
  links: string;
  report: string;
  rejects: string;
}

async function writeInputs(
  directory: string,
  sandbox: Sandbox,
  contacts: number,
  options: SoakOptions,
): Promise<Paths> {
  const paths: Paths = {
    input: join(directory, 'contacts.csv'),
    config: join(directory, 'contact-sync.config.json'),
    links: join(directory, 'links', 'links.jsonl'),
    report: join(directory, 'report.ndjson'),
    rejects: join(directory, 'rejects.csv'),
  };
  await mkdir(join(directory, 'links'), { recursive: true });
  const rows = ['key,phone,firstName,lastName,company'];
  for (let index = 0; index < contacts; index++) {
    rows.push(`crm-${index},${soakPhone(index)},Ada${index},Lovelace,Company ${index % 97}`);
  }
  await writeFile(paths.input, `${rows.join('\n')}\n`);
  const retry = options.retry ?? { retries: 3, minTimeout: 50, maxTimeout: 1000 };
  const stores = sandbox.storeConfigs().map((config) => ({
    ...config,
    timeout: options.timeout ?? 500,
    retry: { ...retry, maxRetryAfter: 5_000 },
  }));
  await writeFile(paths.config, JSON.stringify({ stores }, null, 2));
  return paths;
}

async function cli(argv: string[]): Promise<number> {
  const sink = () => {
    const stream = new PassThrough();
    stream.resume();
    return stream;
  };
  return runCli({ argv, env: {}, out: sink(), err: sink() });
}

interface RequestTally {
  byProvider: Record<string, number>;
  faultsByProvider: Record<string, number>;
  byKind: Record<string, number>;
  total(): number;
  drain(): void;
  stop(): void;
}

/** Counts the sandbox's request log as it grows and empties it, so no entry is ever dropped. */
function countRequests(sandbox: Sandbox): RequestTally {
  const tally: RequestTally = {
    byProvider: {},
    faultsByProvider: {},
    byKind: {},
    total: () => Object.values(tally.byProvider).reduce((sum, count) => sum + count, 0),
    drain() {
      const taken = sandbox.requests.splice(0, sandbox.requests.length);
      for (const request of taken) {
        tally.byProvider[request.provider] = (tally.byProvider[request.provider] ?? 0) + 1;
        if (request.fault) {
          tally.byKind[request.fault] = (tally.byKind[request.fault] ?? 0) + 1;
          tally.faultsByProvider[request.provider] =
            (tally.faultsByProvider[request.provider] ?? 0) + 1;
        }
      }
    },
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => tally.drain(), 200);
  timer.unref();
  return tally;
}

/** Phone → how many contacts hold it, per vendor. */
function heldPhones(sandbox: Sandbox): Map<string, Map<string, number>> {
  const held = new Map<string, Map<string, number>>();
  for (const provider of PROVIDERS) {
    const phones = new Map<string, number>();
    for (const contact of sandbox.emulators[provider].contacts()) {
      phones.set(contact.phone, (phones.get(contact.phone) ?? 0) + 1);
    }
    held.set(provider, phones);
  }
  return held;
}

interface ReportLine {
  key: string;
  provider: string;
  status: string;
  error?: { code: string };
}

async function compare(
  sandbox: Sandbox,
  paths: Paths,
  contacts: number,
  tally: RequestTally,
): Promise<
  Omit<SoakFigures, 'contacts' | 'faultRate' | 'seed' | 'elapsedMs' | 'exitCode' | 'faultsByKind'>
> {
  const lines = (await readFile(paths.report, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReportLine);
  const failedAt = new Map<string, Map<string, string>>();
  const reported = new Set<string>();
  for (const line of lines) {
    reported.add(`${line.key}\u0000${line.provider}`);
    if (line.status !== 'failed') continue;
    const byProvider = failedAt.get(line.key) ?? new Map<string, string>();
    byProvider.set(line.provider, line.error?.code ?? 'unknown');
    failedAt.set(line.key, byProvider);
  }
  const rejected = new Set(
    (await readFile(paths.rejects, 'utf8'))
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((row) => row.split(',')[0] as string),
  );
  const held = heldPhones(sandbox);
  const links = fileLinkStore(paths.links);
  const vendors: VendorFigures[] = [];
  try {
    const byId = new Map(
      PROVIDERS.map((provider) => [
        provider,
        new Map(sandbox.emulators[provider].contacts().map((contact) => [contact.id, contact])),
      ]),
    );
    const linked = new Map<string, Record<string, string> | undefined>();
    for (let index = 0; index < contacts; index++) {
      linked.set(`crm-${index}`, await links.get(`crm-${index}`));
    }
    for (const provider of PROVIDERS) {
      const phones = held.get(provider) ?? new Map<string, number>();
      const figures: VendorFigures = {
        provider,
        stored: 0,
        lost: 0,
        duplicated: 0,
        failed: 0,
        failedNotInRejects: 0,
        badLinks: 0,
        requests: tally.byProvider[provider] ?? 0,
        faults: tally.faultsByProvider[provider] ?? 0,
        failureCodes: {},
      };
      for (let index = 0; index < contacts; index++) {
        const key = `crm-${index}`;
        const phone = soakPhone(index);
        const failure = failedAt.get(key)?.get(provider);
        if (failure) {
          figures.failed += 1;
          figures.failureCodes[failure] = (figures.failureCodes[failure] ?? 0) + 1;
          if (!rejected.has(key)) figures.failedNotInRejects += 1;
        }
        if (phones.has(phone)) figures.stored += 1;
        else if (!failure) figures.lost += 1;
        const id = linked.get(key)?.[provider];
        if (id !== undefined && byId.get(provider)?.get(id)?.phone !== phone) figures.badLinks += 1;
        if (id === undefined && !failure) figures.badLinks += 1;
      }
      for (const count of phones.values()) figures.duplicated += count - 1;
      vendors.push(figures);
    }
  } finally {
    await links.close?.();
  }
  let missingReportLines = 0;
  for (let index = 0; index < contacts; index++) {
    for (const provider of PROVIDERS) {
      if (!reported.has(`crm-${index}\u0000${provider}`)) missingReportLines += 1;
    }
  }
  return {
    failedRows: failedAt.size,
    rejectedRows: rejected.size,
    rejectedButSynced: [...rejected].filter((key) => !failedAt.has(key)).length,
    missingReportLines,
    vendors,
  };
}

/** The figures as the table `npm run soak` prints. */
export function renderSoak(figures: SoakFigures): string {
  const header = [
    'vendor',
    'stored',
    'lost',
    'duplicated',
    'failed',
    'not in rejects',
    'bad links',
    'requests',
    'req/contact',
    'faults',
  ];
  const rows = figures.vendors.map((vendor) => [
    vendor.provider,
    String(vendor.stored),
    String(vendor.lost),
    String(vendor.duplicated),
    String(vendor.failed),
    String(vendor.failedNotInRejects),
    String(vendor.badLinks),
    String(vendor.requests),
    (vendor.requests / figures.contacts).toFixed(2),
    String(vendor.faults),
  ]);
  const codes = figures.vendors
    .filter((vendor) => vendor.failed > 0)
    .map(
      (vendor) =>
        `  ${vendor.provider}: ${Object.entries(vendor.failureCodes)
          .map(([code, count]) => `${count} × ${code}`)
          .join(', ')}`,
    );
  const out = [
    `${figures.contacts} contacts × ${figures.vendors.length} vendors, fault rate ${figures.faultRate}, seed ${figures.seed}: ${(figures.elapsedMs / 1000).toFixed(1)} s, exit ${figures.exitCode}`,
    `faults injected: ${Object.entries(figures.faultsByKind)
      .sort()
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
    '',
    ...textTable(header, rows),
    '',
    `rows with a failure: ${figures.failedRows}; rows in --rejects: ${figures.rejectedRows}; rejected but synced: ${figures.rejectedButSynced}; report lines missing: ${figures.missingReportLines}`,
  ];
  if (codes.length) out.push('failure codes:', ...codes);
  if (figures.rerun) {
    out.push(
      `rerun of --rejects without faults: exit ${figures.rerun.exitCode}, lost ${figures.rerun.lost}, duplicated ${figures.rerun.duplicated}, ${figures.rerun.requests} requests`,
    );
  }
  return out.join('\n');
}
