import { scopedSignal } from '../src/abort.js';
import type { ContactStore } from '../src/contact-store.js';
import {
  createContactSync,
  type DiffReport,
  describeChange,
  type LinkStore,
  type StoreDiff,
} from '../src/sync/index.js';
import { coloursFor } from './colour.js';
import type { CliConfig } from './config.js';
import { type InputFormat, type ReadOptions, readRecords } from './input.js';
import { maskPhone } from './mask-phone.js';
import { reasonOf } from './summary.js';
import { textTable } from './text-table.js';
import type { LineWriter } from './writers.js';

const ACTIONS: StoreDiff['action'][] = ['create', 'update', 'unchanged', 'conflict', 'failed'];

export interface DiffCommandOptions {
  file: string;
  format: InputFormat;
  read?: ReadOptions;
  config: CliConfig;
  stores: ContactStore[];
  links: LinkStore;
  /** One JSON line per record: the machine-readable form (`--report`). */
  report?: LineWriter;
  concurrency?: number;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

/**
 * `contact-sync push --diff`: for each record, what a push would change at each vendor, field by
 * field, found by reading only. Prints the changes and a summary per vendor; exit 0, or 1 when a
 * read failed or a record is invalid.
 */
export async function diffCommand(options: DiffCommandOptions): Promise<number> {
  const sync = createContactSync({
    stores: options.stores,
    links: options.links,
    defaultCountry: options.config.defaultCountry,
  });
  const counts = new Map(
    options.stores.map((store) => [store.provider, new Map(ACTIONS.map((action) => [action, 0]))]),
  );
  const colours = coloursFor(options.out, options.env ?? {});
  const showPhone = options.out.isTTY ? maskPhone : (phone: string) => phone;
  let failed = 0;
  const running = new Set<Promise<void>>();
  const finished: DiffReport[] = [];

  async function print(report: DiffReport): Promise<void> {
    await options.report?.write(`${JSON.stringify(report)}\n`);
    for (const result of report.results) {
      const row = counts.get(result.provider);
      row?.set(result.action, (row.get(result.action) ?? 0) + 1);
    }
    if (report.results.some((result) => result.action === 'failed')) failed += 1;
    const interesting = report.results.filter((result) => result.action !== 'unchanged');
    if (interesting.length === 0) return;
    const lines = [colours.bold(report.key)];
    for (const result of interesting) {
      const head = `  ${result.provider}: ${label(result)}`;
      lines.push(result.action === 'failed' ? colours.red(head) : head);
      if (result.hint) lines.push(`    ${result.hint}`);
      for (const change of result.changes) {
        const shown =
          change.field === 'phone'
            ? {
                ...change,
                from: change.from && showPhone(change.from),
                to: change.to && showPhone(change.to),
              }
            : change;
        lines.push(`    ${describeChange(shown)}`);
      }
    }
    options.out.write(`${lines.join('\n')}\n`);
  }

  const limit = options.concurrency ?? 8;
  // One listener on the caller's signal for the whole run: each record's reads at each vendor
  // listen on this one (eight records × three vendors printed a MaxListenersExceededWarning).
  const run = scopedSignal(options.signal);
  try {
    await diffRows();
  } finally {
    run.release();
  }

  async function diffRows(): Promise<void> {
    for await (const row of readRecords(options.file, options.format, options.read)) {
      if (options.signal?.aborted) break;
      const task = sync
        .diff({ key: row.key, contact: row.contact as never }, { signal: run.signal })
        .then((report) => {
          finished.push(report);
          running.delete(task);
        });
      running.add(task);
      if (running.size >= limit) await Promise.race(running);
      // Reports are printed as they finish; each is one record's whole block.
      for (const report of finished.splice(0)) await print(report);
    }
    await Promise.all(running);
    for (const report of finished.splice(0)) await print(report);
  }

  const rows = [...counts].map(([provider, row]) => [
    provider,
    ...ACTIONS.map((action) => String(row.get(action) ?? 0)),
  ]);
  options.out.write(`\n${textTable(['vendor', ...ACTIONS], rows).join('\n')}\n`);
  options.err.write('Nothing was written: --diff only reads.\n');
  return failed > 0 || options.signal?.aborted ? 1 : 0;
}

function label(result: StoreDiff): string {
  if (result.action === 'conflict')
    return `conflict: the phone's contact is linked to key ${result.existingKey}`;
  if (result.action === 'failed') {
    const code = result.error?.code ?? 'error';
    const reason = result.error ? reasonOf(result.error).replace(`${code}: `, '') : '';
    return `failed (${code})${reason ? `: ${reason}` : ''}`;
  }
  return result.action;
}
