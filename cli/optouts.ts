import type { ContactStore } from '../src/contact-store.js';
import { createContactSync, type LinkStore, type OptOutSyncReport } from '../src/sync/index.js';
import type { CliConfig } from './config.js';
import { csvRow } from './csv-row.js';
import { maskPhone } from './mask-phone.js';
import { textTable } from './text-table.js';
import { lineWriter } from './writers.js';

export interface OptOutsCommandOptions {
  config: { config: CliConfig; stores: ContactStore[] };
  links: LinkStore;
  apply: boolean;
  /** CSV for the CRM: `key,phone,provider,channel,at`, one row per phone and vendor that listed it. */
  outFile?: string;
  signal?: AbortSignal;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

/** The CSV header of `--out`. */
export const OPT_OUT_COLUMNS = ['key', 'phone', 'provider', 'channel', 'at'] as const;

/**
 * `contact-sync optouts [--apply] [--out FILE]`: the union of every vendor's opt-outs, as a table
 * (phones masked on a terminal) and as CSV; with `--apply`, written to every vendor that can hold
 * them. Exit status as for push: 0 everything read (and written), 1 something failed.
 */
export async function optoutsCommand(options: OptOutsCommandOptions): Promise<number> {
  const out = options.outFile ? await lineWriter(options.outFile, '--out') : undefined;
  const sync = createContactSync({
    stores: options.config.stores,
    links: options.links,
    defaultCountry: options.config.config.defaultCountry,
  });
  let report: OptOutSyncReport;
  try {
    report = await sync.syncOptOuts({ apply: options.apply, signal: options.signal });
  } catch (error) {
    await out?.close();
    throw error;
  }
  if (out) {
    await out.write(`${csvRow(OPT_OUT_COLUMNS)}\n`);
    for (const row of csvRows(report)) await out.write(`${csvRow(row)}\n`);
    await out.close();
  }
  const show = options.out.isTTY ? maskPhone : (phone: string) => phone;
  const rows = report.optOuts.map((optOut) => [
    show(optOut.phone),
    optOut.key ?? '',
    optOut.seenAt.join(' '),
    optOut.channels.join(' '),
    ...(options.apply ? [outcome(optOut.results)] : []),
  ]);
  const header = [
    'phone',
    'key',
    'opted out at',
    'channels',
    ...(options.apply ? ['applied'] : []),
  ];
  options.out.write(`${textTable(header, rows).join('\n')}\n`);
  let failed = 0;
  for (const source of report.sources) {
    if (source.status === 'failed') {
      failed += 1;
      options.err.write(
        `${source.provider}: the opt-outs could not be read (${source.error?.code}); the list above is incomplete\n`,
      );
    }
  }
  const writeFailures = report.optOuts.flatMap((optOut) =>
    optOut.results.filter((result) => result.status === 'failed'),
  );
  if (writeFailures.length) {
    failed += writeFailures.length;
    const codes = [
      ...new Set(writeFailures.map((result) => `${result.provider} ${result.error?.code}`)),
    ];
    options.err.write(
      `${writeFailures.length} opt-out writes failed (${codes.join(', ')}); run again: every write is idempotent\n`,
    );
  }
  options.err.write(
    `${report.optOuts.length} opted-out phones across ${report.sources.length} vendors\n`,
  );
  return failed ? 1 : 0;
}

function csvRows(report: OptOutSyncReport): string[][] {
  return report.optOuts.flatMap((optOut) =>
    optOut.entries.map((entry) => [
      optOut.key ?? '',
      optOut.phone,
      entry.provider,
      entry.channel,
      entry.at ?? '',
    ]),
  );
}

function outcome(results: OptOutSyncReport['optOuts'][number]['results']): string {
  return results
    .filter((result) => result.status === 'added' || result.status === 'failed')
    .map((result) => `${result.provider} ${result.status}`)
    .join(', ');
}
