import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ContactInput } from '../src/contact.js';
import type { ContactStore } from '../src/contact-store.js';
import { exportContacts, type LinkStore, type SyncRecord } from '../src/sync/index.js';
import { csvRow } from './csv-row.js';
import { CSV_CONTACT_COLUMNS } from './input.js';
import { UsageError } from './push.js';
import { type LineWriter, lineWriter } from './writers.js';

export interface ExportCommandOptions {
  from: ContactStore;
  links?: LinkStore;
  format: 'ndjson' | 'csv';
  /** CSV: the separator (default `,`), a byte-order mark, and the line end (default `\n`). */
  csv?: CsvStyle;
  /** Default: standard output. */
  outFile?: string;
  signal?: AbortSignal;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

/** How an exported CSV is written. `--excel` is `;`, a UTF-8 byte-order mark and CRLF. */
export interface CsvStyle {
  delimiter: string;
  bom: boolean;
  lineEnd: '\n' | '\r\n';
}

const PLAIN_CSV: CsvStyle = { delimiter: ',', bom: false, lineEnd: '\n' };

/** The columns of an exported CSV before the custom fields: what `push` reads back. */
const CSV_COLUMNS = ['key', ...CSV_CONTACT_COLUMNS] as const;

/**
 * `contact-sync export --from <provider>`: every contact the vendor holds, as records `push`
 * reads (`{ key, contact }`, NDJSON or CSV), streamed one page at a time. Exit status 0, or 1
 * when a contact cannot be written in the format (named on stderr, never dropped silently).
 */
export async function exportCommand(options: ExportCommandOptions): Promise<number> {
  const sink = options.outFile
    ? await lineWriter(options.outFile, '--out')
    : streamWriter(options.out);
  const progress = progressLine(options.err);
  try {
    const records = exportContacts({
      from: options.from,
      links: options.links,
      signal: options.signal,
    });
    const failures =
      options.format === 'csv'
        ? await writeCsv(records, sink, progress, options.csv ?? PLAIN_CSV)
        : await writeNdjson(records, sink, progress);
    progress.done();
    if (options.signal?.aborted) {
      options.err.write('Interrupted: the file holds the contacts read so far.\n');
      return 1;
    }
    for (const failure of failures.slice(0, 5)) options.err.write(`${failure}\n`);
    return failures.length ? 1 : 0;
  } finally {
    await sink.close();
  }
}

async function writeNdjson(
  records: AsyncIterable<SyncRecord>,
  sink: LineWriter,
  progress: Progress,
): Promise<string[]> {
  for await (const record of records) {
    await sink.write(`${JSON.stringify(record)}\n`);
    progress.tick();
  }
  return [];
}

/**
 * CSV needs every custom-field column in its header before the first row, and the vendor says
 * which exist only as it pages: the records go to a private NDJSON file first (constant memory,
 * one read of the vendor), then become CSV.
 */
async function writeCsv(
  records: AsyncIterable<SyncRecord>,
  sink: LineWriter,
  progress: Progress,
  style: CsvStyle,
): Promise<string[]> {
  const folder = await mkdtemp(join(tmpdir(), 'contact-sync-export-'));
  const staged = join(folder, 'records.ndjson');
  const customColumns = new Set<string>();
  const failures: string[] = [];
  try {
    const stage = await lineWriter(staged, '--out');
    for await (const record of records) {
      for (const name of Object.keys(record.contact.customFields ?? {})) customColumns.add(name);
      await stage.write(`${JSON.stringify(record)}\n`);
      progress.tick();
    }
    await stage.close();
    const custom = [...customColumns]
      .filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name))
      .sort();
    const end = style.lineEnd;
    const bom = style.bom ? '\uFEFF' : '';
    await sink.write(`${bom}${csvRow([...CSV_COLUMNS, ...custom], style.delimiter)}${end}`);
    // `push` splits tags on `;`, and on `,` too in a file not separated by `,`.
    const splitOn = style.delimiter === ',' ? [';'] : [';', ','];
    const lines = createInterface({
      input: createReadStream(staged, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      const record = JSON.parse(line) as SyncRecord;
      const tags = record.contact.tags ?? [];
      // A tag holding a separator of tags cannot be written back as it is.
      const held = splitOn.find((separator) => tags.some((tag) => tag.includes(separator)));
      if (held) {
        failures.push(
          `${record.key}: a tag holds '${held}', which a CSV tags cell cannot carry here (use --format ndjson)`,
        );
        continue;
      }
      await sink.write(`${csvRow(cells(record, custom), style.delimiter)}${end}`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return failures;
}

function cells({ key, contact }: SyncRecord, custom: string[]): string[] {
  const value = (field: keyof ContactInput) => {
    const held = contact[field];
    return held === undefined || held === null ? '' : String(held);
  };
  return [
    key,
    value('phone'),
    value('firstName'),
    value('lastName'),
    value('name'),
    value('birthday'),
    value('url'),
    (contact.tags ?? []).join(';'),
    value('assignedUser'),
    ...custom.map((name) => contact.customFields?.[name] ?? ''),
  ];
}

function streamWriter(stream: NodeJS.WritableStream): LineWriter {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {},
  };
}

interface Progress {
  tick(): void;
  done(): void;
}

/** On a terminal, a count that updates in place; elsewhere nothing (the output may be the pipe). */
function progressLine(stream: NodeJS.WritableStream & { isTTY?: boolean }): Progress {
  if (!stream.isTTY) return { tick() {}, done() {} };
  let count = 0;
  let drawn = 0;
  return {
    tick() {
      count += 1;
      if (Date.now() - drawn > 100) {
        drawn = Date.now();
        stream.write(`\rexporting: ${count} contacts`);
      }
    },
    done() {
      stream.write(`\rexported: ${count} contacts\n`);
    },
  };
}

/** `--format`: ndjson (default) or csv; `--excel` means csv. */
export function exportFormat(value: string | undefined, excel = false): 'ndjson' | 'csv' {
  if (value === undefined) return excel ? 'csv' : 'ndjson';
  if (value === 'csv') return 'csv';
  if (value === 'ndjson' || value === 'jsonl') {
    if (excel) throw new UsageError('--excel writes CSV: drop --format ndjson');
    return 'ndjson';
  }
  throw new UsageError('--format must be ndjson or csv');
}

/** `--delimiter` and `--excel` (`;`, a byte-order mark and CRLF: French Excel opens it in columns). */
export function csvStyle(
  format: 'ndjson' | 'csv',
  delimiter: string | undefined,
  excel: boolean,
): CsvStyle | undefined {
  if (format === 'ndjson') {
    if (delimiter !== undefined) throw new UsageError('--delimiter goes with --format csv');
    return undefined;
  }
  const chosen =
    delimiter === 'tab' || delimiter === '\\t' ? '\t' : (delimiter ?? (excel ? ';' : ','));
  if ([...chosen].length !== 1 || /["\r\n]/.test(chosen)) {
    throw new UsageError('--delimiter must be one character, such as , or ; (or tab)');
  }
  return excel
    ? { delimiter: chosen, bom: true, lineEnd: '\r\n' }
    : { delimiter: chosen, bom: false, lineEnd: '\n' };
}
