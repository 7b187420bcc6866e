import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ContactStore } from '../src/contact-store.js';
import { invalidInput, isContactSyncError } from '../src/errors.js';
import {
  createContactSync,
  fileLinkStore,
  type LinkStore,
  memoryLinkStore,
  type PushReport,
  type SyncRecord,
} from '../src/sync/index.js';
import { coloursFor } from './colour.js';
import { describeRenamed, describeSeparators } from './columns.js';
import { type CliConfig, ConfigError } from './config.js';
import { detectEncoding, encodingLabel } from './decode.js';
import { diffCommand } from './diff.js';
import {
  assertReadable,
  type CsvLayout,
  csvLayout,
  formatOf,
  InputFileError,
  type InputFormat,
  type InputRecord,
  type ReadOptions,
  readRecords,
} from './input.js';
import { FIXED_LINE_WARNING, isFixedLine } from './landlines.js';
import { createProgress } from './progress.js';
import { createSummary } from './summary.js';
import { type LineWriter, lineWriter, OutputFileError, rejectsWriter } from './writers.js';

export interface PushCommandOptions {
  file: string;
  config: { config: CliConfig; stores: ContactStore[] };
  /** Provider names to write to; default every store of the config. */
  only?: string[];
  dryRun?: boolean;
  /** Read each vendor and print what a push would change; write nothing (`--diff`). */
  diff?: boolean;
  concurrency?: number;
  links?: string;
  report?: string;
  rejects?: string;
  /** How to read the input file (`--encoding`, `--delimiter`). */
  read?: ReadOptions;
  /**
   * Fixed-line numbers (SMS and WhatsApp cannot reach them): `'warn'` (default) sends them with a
   * `phone` `fixed_line` warning per row; `'refuse'` (`--refuse-landlines`) fails the row at every
   * vendor without sending it, so it lands in `--rejects`.
   */
  landlines?: 'warn' | 'refuse';
  signal?: AbortSignal;
  /** Where the summary and dry-run requests go. */
  out: NodeJS.WritableStream;
  /** Where progress and notes go. */
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** The environment (`NO_COLOR`, `FORCE_COLOR`, `TERM`) for the progress bar's colour. */
  env?: Record<string, string | undefined>;
  /** `enabled: false` is `--no-progress`; `lineEverySeconds` is `--progress-every`. */
  progress?: { enabled?: boolean; lineEverySeconds?: number };
}

/** A usage error: wrong flags or values (exit status 2, nothing sent). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `contact-sync push`: reads the file once to check it (nothing is sent when it is malformed),
 * then streams it through ContactSync. Resolves the exit status: 0 every row synced, 1 any failed.
 */
export async function pushCommand(given: PushCommandOptions): Promise<number> {
  const format = formatOf(given.file);
  const stores = selectStores(given.config.stores, given.only);
  checkPaths(given);
  await assertReadable(given.file);
  const options = { ...given, read: await chooseEncoding(given) };
  const total = await checkFile(options.file, format, options.read);
  const layout = format === 'csv' ? await csvLayout(options.file, options.read) : undefined;
  const notes = layoutNotes(layout);
  // A push says it under its summary; a dry run or a diff, whose stdout is the requests or the
  // changes, on stderr.
  if (options.dryRun || options.diff) for (const note of notes) options.err.write(`${note}\n`);
  if (options.dryRun && options.diff) throw new UsageError('--dry-run and --diff: choose one');
  if (options.dryRun) return dryRun(options, stores);
  if (options.diff) return diff(options, stores, format);

  const { report, rejects, links } = await openOutputs(options, format, layout);
  const sync = createContactSync({
    stores,
    links,
    defaultCountry: options.config.config.defaultCountry,
  });
  const summary = createSummary(stores.map((store) => store.provider));
  const bar = createProgress({ stream: options.err, total, env: options.env, ...options.progress });
  // Ctrl-C: the bar is closed first, so the message that follows is not drawn over.
  const stopBar = () => bar?.stop();
  options.signal?.addEventListener('abort', stopBar, { once: true });
  const sources = new WeakMap<object, InputRecord>();
  const landlines = landlineCheck(options, stores);
  const handle = async (pushed: PushReport) => {
    const row = sources.get(pushed.record);
    if (row && landlines.fixed.has(row) && !landlines.refusedRows.has(row)) {
      for (const result of pushed.results) result.warnings.push({ ...FIXED_LINE_WARNING });
    }
    summary.add(pushed);
    bar?.increment();
    await writeReport(report, pushed, row);
    if (rejects && row && pushed.results.some((result) => result.status === 'failed')) {
      await rejects.write(row.source);
    }
  };

  try {
    const rows = readRecords(options.file, format, options.read);
    const records = withSources(rows, sources, landlines.admit);
    for await (const pushed of sync.pushMany(records, {
      concurrency: options.concurrency,
      signal: options.signal,
    })) {
      for (const refused of landlines.refused.splice(0)) await handle(refused);
      await handle(pushed);
    }
    for (const refused of landlines.refused.splice(0)) await handle(refused);
  } finally {
    options.signal?.removeEventListener('abort', stopBar);
    bar?.stop();
    await report?.close();
    await rejects?.close();
    await links.close?.();
  }
  const colours = coloursFor(options.out as { isTTY?: boolean }, options.env ?? {});
  options.out.write(`${summary.render(colours)}\n`);
  if (notes.length) options.out.write(`${notes.join('\n')}\n`);
  if (options.signal?.aborted) options.err.write('Stopped before the end of the file.\n');
  return summary.failedRecords > 0 || options.signal?.aborted ? 1 : 0;
}

/** Opens --report, --rejects and --links before anything is sent; a bad path sends nothing. */
async function openOutputs(
  options: PushCommandOptions,
  format: InputFormat,
  layout: CsvLayout | undefined,
) {
  let report: LineWriter | undefined;
  let rejects: LineWriter | undefined;
  try {
    if (options.report) report = await lineWriter(options.report, '--report');
    if (options.rejects) {
      const encoding = options.read?.encoding ?? 'utf8';
      rejects = await rejectsWriter(options.rejects, format, encoding, layout);
    }
    const links = options.links ? await openLinks(options.links) : memoryLinkStore();
    return { report, rejects, links };
  } catch (error) {
    await report?.close();
    await rejects?.close();
    throw error;
  }
}

/** A file link store, opened now (it opens lazily) so a bad path or a held lock sends nothing. */
export async function openLinks(path: string): Promise<LinkStore> {
  const links = fileLinkStore(path);
  try {
    await links.get('contact-sync-cli-open-check');
  } catch (error) {
    await links.close?.();
    throw new OutputFileError(`--links ${path}: ${(error as Error).message}`);
  }
  return links;
}

/**
 * The files a push reads or writes are different files: `--report` or `--rejects` opened on the
 * input, the links file or each other would truncate it before anything else happens.
 */
function checkPaths(options: PushCommandOptions): void {
  const named: [string, string | undefined][] = [
    ['the input file', options.file],
    ['--links', options.links],
    ['--report', options.report],
    ['--rejects', options.rejects],
  ];
  for (const [index, [flag, path]] of named.entries()) {
    if (!path || index === 0) continue;
    for (const [otherFlag, other] of named.slice(0, index)) {
      if (other && samePath(path, other)) {
        throw new UsageError(`${flag} must not be ${otherFlag} (it would be overwritten)`);
      }
    }
  }
}

/** Same file: the same resolved path, or (through a link) the same file on disk. */
function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const one = statSync(a, { throwIfNoEntry: false });
  const two = statSync(b, { throwIfNoEntry: false });
  return !!one && !!two && one.dev === two.dev && one.ino === two.ino;
}

export function selectStores(stores: ContactStore[], only?: string[]): ContactStore[] {
  if (!only?.length) return stores;
  const known = stores.map((store) => store.provider);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new UsageError(
      `--only names ${unknown.join(', ')}, not in the config (it has ${known.join(', ')})`,
    );
  }
  return stores.filter((store) => only.includes(store.provider));
}

/**
 * The read options with an encoding: the one given, else what the bytes say (UTF-8, or
 * Windows-1252 where that is unambiguous: said on stderr, with how to choose another).
 */
async function chooseEncoding(options: PushCommandOptions): Promise<ReadOptions> {
  if (options.read?.encoding !== undefined) return options.read;
  const detected = await detectEncoding(createReadStream(options.file));
  if (detected.reason) {
    options.err.write(
      `Reading ${options.file} as ${encodingLabel(detected.encoding)}: ${detected.reason} (pass --encoding to choose).\n`,
    );
  }
  return { ...options.read, encoding: detected.encoding };
}

/** What the summary says about how a CSV file was read: renamed columns, how tags were split. */
function layoutNotes(layout: CsvLayout | undefined): string[] {
  if (!layout) return [];
  const notes: string[] = [];
  if (layout.renamed.length) notes.push(`Columns: read ${describeRenamed(layout.renamed)}.`);
  if (layout.hasTags)
    notes.push(
      `Tags: split on ${describeSeparators(layout.tagSeparators)} (--tag-separator to change).`,
    );
  return notes;
}

/** Reads the whole file once, streaming, so a malformed file is refused before anything is sent. */
async function checkFile(file: string, format: InputFormat, read?: ReadOptions): Promise<number> {
  let count = 0;
  for await (const _ of readRecords(file, format, read)) count += 1;
  if (count === 0) throw new InputFileError(`${file}: no records`);
  return count;
}

async function* withSources(
  rows: AsyncIterable<InputRecord>,
  sources: WeakMap<object, InputRecord>,
  admit: (row: InputRecord, record: SyncRecord) => boolean = () => true,
): AsyncGenerator<SyncRecord> {
  for await (const row of rows) {
    const record = { key: row.key, contact: row.contact as never };
    sources.set(record, row);
    if (admit(row, record)) yield record;
  }
}

/**
 * Finds the rows whose phone is a landline (national numbers read in the config's `defaultCountry`):
 * they are marked for a warning, or with `landlines: 'refuse'` kept back and reported failed at
 * every vendor, `invalid_input` on `contact.phone`, without a request.
 */
function landlineCheck(options: PushCommandOptions, stores: ContactStore[]) {
  const fixed = new WeakSet<InputRecord>();
  const refusedRows = new WeakSet<InputRecord>();
  const refused: PushReport[] = [];
  const country = options.config.config.defaultCountry;
  const admit = (row: InputRecord, record: SyncRecord): boolean => {
    if (row.problem || !isFixedLine(row.contact.phone, country)) return true;
    fixed.add(row);
    if (options.landlines !== 'refuse') return true;
    refusedRows.add(row);
    const issue = {
      path: 'contact.phone',
      message: 'fixed_line: a landline cannot receive SMS or WhatsApp (--refuse-landlines)',
    };
    refused.push({
      key: row.key,
      record,
      results: stores.map((store) => ({
        provider: store.provider,
        status: 'failed' as const,
        error: invalidInput([issue]),
        warnings: [{ ...FIXED_LINE_WARNING }],
      })),
    });
    return false;
  };
  return { fixed, refused, refusedRows, admit };
}

async function writeReport(
  report: LineWriter | undefined,
  pushed: PushReport,
  row: InputRecord | undefined,
): Promise<void> {
  if (!report) return;
  for (const result of pushed.results) {
    const line = {
      key: pushed.key,
      position: row?.position,
      provider: result.provider,
      status: result.status,
      id: result.id,
      error: result.error ? reportedError(result.error) : undefined,
      warnings: result.warnings.length ? result.warnings : undefined,
    };
    await report.write(`${JSON.stringify(line)}\n`);
  }
}

/** A failure as `--report` writes it: the code, the message, the issues, and a conflict's owner. */
function reportedError(error: NonNullable<PushReport['results'][number]['error']>) {
  const owner = error as { existingKey?: string; existingId?: string };
  return {
    code: error.code,
    message: error.message,
    issues: error.issues,
    existingKey: owner.existingKey,
    existingId: owner.existingId,
  };
}

/** Prints, for every row and store, the request a push would send first; sends nothing. */
async function dryRun(options: PushCommandOptions, stores: ContactStore[]): Promise<number> {
  const links = options.links ? await fileLinkStore(options.links) : undefined;
  let invalid = 0;
  try {
    for await (const row of readRecords(options.file, undefined, options.read)) {
      const linked = row.key ? await links?.get(row.key) : undefined;
      for (const store of stores) {
        const id = linked?.[store.provider];
        let line: Record<string, unknown>;
        try {
          if (row.problem) throw new UsageError(`${row.problem.path}: ${row.problem.message}`);
          const contact = row.contact as never;
          const request = id
            ? store.preview('update', contact, id)
            : store.preview('create', contact);
          line = { key: row.key, position: row.position, provider: store.provider, request };
        } catch (error) {
          invalid += 1;
          const message =
            isContactSyncError(error) || error instanceof UsageError
              ? error.message
              : String(error);
          line = { key: row.key, position: row.position, provider: store.provider, error: message };
        }
        // A reader slower than the file (a pipe) must slow the run, not fill memory.
        if (!options.out.write(`${JSON.stringify(line)}\n`)) await once(options.out, 'drain');
      }
    }
  } finally {
    await links?.close?.();
  }
  options.err.write(
    `Dry run: nothing was sent${invalid ? `; ${invalid} requests would be refused` : ''}.\n`,
  );
  return invalid ? 1 : 0;
}

export { ConfigError, InputFileError, OutputFileError };

/** `--diff`: reads only; `--report` gets one JSON line per record. */
async function diff(
  options: PushCommandOptions,
  stores: ContactStore[],
  format: InputFormat,
): Promise<number> {
  if (options.rejects)
    throw new UsageError('--rejects does not go with --diff (nothing is written)');
  const report = options.report ? await lineWriter(options.report, '--report') : undefined;
  const links = options.links ? await openLinks(options.links) : memoryLinkStore();
  try {
    return await diffCommand({
      file: options.file,
      format,
      read: options.read,
      config: options.config.config,
      stores,
      links,
      report,
      concurrency: options.concurrency,
      signal: options.signal,
      env: options.env,
      out: options.out as NodeJS.WritableStream & { isTTY?: boolean },
      err: options.err,
    });
  } finally {
    await report?.close();
    await links.close?.();
  }
}
