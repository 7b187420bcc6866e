import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { ValidationIssue } from '../src/errors.js';
import {
  type ColumnRead,
  CSV_CONTACT_COLUMNS,
  InputFileError,
  resolveColumns,
  tagSeparatorsFor,
} from './columns.js';
import { decodeText, type InvalidBytes, type TextEncoding } from './decode.js';
import { jsonErrorPosition } from './json-position.js';
import { JsonShapeError, jsonArrayElements } from './json-stream.js';

export type InputFormat = 'csv' | 'json' | 'ndjson';

/** One row of an input file. */
export interface InputRecord {
  /** CSV and NDJSON: the line; JSON: the element's position (1-based). */
  position: number;
  key: string;
  contact: Record<string, unknown>;
  /** The row as written in the file, for `--rejects`. */
  source: string;
  /** What is wrong with the row itself, reported as `invalid_input` without sending it. */
  problem?: ValidationIssue;
}

export { CSV_CONTACT_COLUMNS, InputFileError };

const CONTACT_COLUMNS: ReadonlySet<string> = new Set(CSV_CONTACT_COLUMNS);

/** The format a file's extension names. */
export function formatOf(path: string): InputFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  throw new InputFileError(
    `${path}: unknown input format '${extension}' (expected .csv, .json or .ndjson)`,
  );
}

/** Refuses a path that cannot be read (missing, a folder, no permission) with a clear message. */
export async function assertReadable(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      // Opening a folder succeeds on Linux; reading it is what fails (EISDIR).
      await handle.read(Buffer.alloc(1), 0, 1, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputFileError(`${path}: cannot be read (${code})`);
  }
}

/** How to read an input file. */
export interface ReadOptions {
  /** The file's text encoding. Default `'utf8'`: invalid UTF-8 is refused, naming where it is. */
  encoding?: TextEncoding;
  /** The CSV field separator. Default: read from the header line (`,`, `;` or a tab). */
  delimiter?: string;
  /**
   * Which column holds which field: `{ phone: 'Téléphone' }` (`columns` in the config file,
   * `--column phone=Téléphone`). A name that is no contact field renames a custom field. Columns
   * not named here are read by their header, French and English spellings of the contact fields
   * included (see `cli/columns.ts`).
   */
  columns?: Record<string, string>;
  /**
   * The characters a `tags` cell is split on. Default `;` in a `,`-separated file (and in JSON),
   * `;` and `,` in a file separated by anything else (`customer, vip` in French Excel's `;` file).
   */
  tagSeparator?: string;
}

/** How a CSV file is laid out, read from its header line: what `--rejects` writes back. */
export interface CsvLayout {
  /** The header line as written (no BOM, no line end). */
  header: string;
  delimiter: string;
  /** `\r\n` when the header line ends so (Excel), else `\n`. */
  lineEnd: string;
  /** Whether the file starts with a UTF-8 byte-order mark. */
  bom: boolean;
  /** The columns read as a contact field under another header, in header order. */
  renamed: ColumnRead[];
  /** The characters `tags` cells are split on. */
  tagSeparators: string;
  /** Whether the file has a `tags` column (after renaming). */
  hasTags: boolean;
}

/**
 * The longest record (a CSV row, an NDJSON line, a JSON array element), in characters. A contact
 * is a few hundred; a file with a longer one is not a contact file, and reading on would hold the
 * whole line in memory (a 1 GB line crashed with ERR_STRING_TOO_LONG after minutes).
 */
export const MAX_RECORD_LENGTH = 1024 * 1024;

const DELIMITERS = [',', ';', '\t'] as const;

/** Streams the records of a CSV, JSON-array or NDJSON file, one row at a time. */
export function readRecords(
  path: string,
  format = formatOf(path),
  options: ReadOptions = {},
): AsyncGenerator<InputRecord> {
  if (format === 'csv') return readCsv(path, options);
  if (format === 'json') return readJson(path, options);
  return readNdjson(path, options);
}

/** The layout of a CSV file (for `--rejects` and the summary), read from its header line only. */
export async function csvLayout(path: string, options: ReadOptions = {}): Promise<CsvLayout> {
  const text = decodeText(bytesOf(path), options.encoding ?? 'utf8', () => undefined);
  const { head } = await firstLine(path, text);
  await text.return(undefined);
  const header = head.replace(/^\uFEFF/, '').replace(/\r$/, '');
  const delimiter = options.delimiter ?? detectDelimiter(header);
  const columns = resolveColumns(path, headerColumns(path, head, delimiter), options.columns);
  return {
    header,
    delimiter,
    lineEnd: head.endsWith('\r') ? '\r\n' : '\n',
    bom: head.startsWith('\uFEFF'),
    renamed: columns.renamed,
    tagSeparators: tagSeparatorsFor(delimiter, options.tagSeparator),
    hasTags: columns.names.includes('tags'),
  };
}

function bytesOf(path: string): AsyncIterable<Buffer> {
  return createReadStream(path);
}

/** `path: line N, column C (name): message`: the place, never the value. */
function at(path: string, line: number, column?: number, name?: string): string {
  const field = column === undefined ? '' : `, column ${column}${name ? ` (${name})` : ''}`;
  return `${path}: line ${line}${field}`;
}

/** The advice for a byte the encoding cannot read; the byte is named, never the text around it. */
export const NOT_UTF8 =
  'not valid UTF-8 (save the file as UTF-8, or pass --encoding windows-1252 for an Excel export ' +
  'from Windows in Western Europe, or --encoding latin1 for ISO-8859-1)';

function badBytes(
  path: string,
  encoding: TextEncoding,
  where: InvalidBytes,
  column?: number,
  name?: string,
): InputFileError {
  const place = at(path, where.line, column, name);
  const hex = `0x${(where.byte ?? 0).toString(16).toUpperCase()}`;
  if (encoding === 'latin1') {
    return new InputFileError(
      `${place}: byte ${hex} is a control character in Latin-1; the file is most likely Windows-1252 (what Excel writes): pass --encoding windows-1252`,
    );
  }
  if (encoding === 'windows-1252') {
    return new InputFileError(
      `${place}: byte ${hex} is no character in Windows-1252 (is the file in another encoding? --encoding utf8, latin1 or windows-1252)`,
    );
  }
  return new InputFileError(`${place}: ${NOT_UTF8}`);
}

/** Reads up to the first newline (bounded), returning it and the text stream from the start. */
async function firstLine(
  path: string,
  text: AsyncGenerator<string>,
): Promise<{ head: string; all: AsyncGenerator<string> }> {
  const seen: string[] = [];
  let length = 0;
  let head: string | undefined;
  while (head === undefined) {
    const next = await text.next();
    if (next.done) {
      head = seen.join('');
      break;
    }
    seen.push(next.value);
    length += next.value.length;
    const joined = seen.join('');
    const newline = joined.indexOf('\n');
    if (newline !== -1) head = joined.slice(0, newline);
    else if (length > MAX_RECORD_LENGTH) {
      await text.return(undefined);
      throw tooLong(path, 1);
    }
  }
  async function* all(): AsyncGenerator<string> {
    yield* seen;
    yield* text;
  }
  return { head, all: all() };
}

function tooLong(path: string, line: number): InputFileError {
  return new InputFileError(
    `${at(path, line)}: a record is longer than ${MAX_RECORD_LENGTH} characters (is this a contact file?)`,
  );
}

/** The separator a header line uses most, outside quotes; `,` when it has none. */
export function detectDelimiter(header: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) {
    if (count > (counts.get(best) ?? 0)) best = delimiter;
  }
  return best;
}

/** csv-parse's complaint as a place and a reason; its message quotes the text, so it is not used. */
function csvProblem(path: string, error: CsvError, columns: readonly string[]): InputFileError {
  const line = error.lines ?? 0;
  const column = typeof error.column === 'number' ? error.column + 1 : undefined;
  const name = column === undefined ? undefined : columns[column - 1];
  const reasons: Record<string, string> = {
    CSV_MAX_RECORD_SIZE: `a record is longer than ${MAX_RECORD_LENGTH} characters (is this a contact file?)`,
    CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: `has ${error.record?.length ?? 'a different number of'} fields, the header has ${columns.length}`,
    CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH: `has ${error.record?.length ?? 'a different number of'} fields, the header has ${columns.length}`,
    CSV_INVALID_CLOSING_QUOTE:
      'text follows a closing quote (a quote inside a quoted field is written "")',
    CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
      'text follows a closing quote (a quote inside a quoted field is written "")',
    CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
    INVALID_OPENING_QUOTE:
      'a quote opens in the middle of a field (is the separator right? see --delimiter)',
  };
  const reason = reasons[error.code ?? ''] ?? `not valid CSV (${error.code ?? 'parse error'})`;
  const place = error.code?.startsWith('CSV_RECORD_')
    ? at(path, line)
    : at(path, line, column, name);
  return new InputFileError(`${place}: ${reason}`);
}

interface CsvError extends Error {
  code?: string;
  lines?: number;
  column?: number | string;
  record?: unknown[];
}

async function* readCsv(path: string, options: ReadOptions): AsyncGenerator<InputRecord> {
  let invalid: InvalidBytes | undefined;
  const encoding = options.encoding ?? 'utf8';
  const text = decodeText(bytesOf(path), encoding, (where) => {
    invalid = where;
  });
  const { head, all } = await firstLine(path, text);
  const delimiter = options.delimiter ?? detectDelimiter(head.replace(/^\uFEFF/, ''));
  // The header is checked on its own first, so a wrong separator is named before any row's error.
  const headers = headerColumns(path, head, delimiter);
  if (invalid?.line === 1) {
    const index = headers.findIndex((name) => name.includes('\uFFFD'));
    throw badBytes(path, encoding, invalid, index === -1 ? undefined : index + 1);
  }
  checkColumns(path, headers, delimiter, options.columns);
  const columns = resolveColumns(path, headers, options.columns).names;
  const tagSeparators = tagSeparatorsFor(delimiter, options.tagSeparator);
  const source = Readable.from(all);
  const parser = source.pipe(
    parseCsv({
      delimiter,
      bom: true,
      raw: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: MAX_RECORD_LENGTH,
    }),
  );
  // pipe() does not forward a read error; without this the parser would wait forever.
  source.once('error', (error) => parser.destroy(error));
  let header = true;
  let previousLine = 0;
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      raw: string;
      info: { lines: number };
    }>) {
      const line = item.info.lines;
      if (invalid && invalid.line <= line) {
        const index = item.record.findIndex((value) => value.includes('\uFFFD'));
        const column = index === -1 ? undefined : index + 1;
        throw badBytes(path, encoding, invalid, column, headers[index]);
      }
      if (header) {
        header = false;
      } else {
        const row: Record<string, string> = {};
        for (const [index, name] of columns.entries()) setOwn(row, name, item.record[index] ?? '');
        yield fromFlat(row, line, item.raw.replace(/\r?\n$|\r$/, ''), tagSeparators);
      }
      previousLine = line;
    }
    if (invalid) throw badBytes(path, encoding, invalid);
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    if (isCsvError(error)) throw csvProblem(path, error, columns);
    throw readFailure(path, error, previousLine);
  }
}

/** csv-parse's errors carry the line they stopped at. */
function isCsvError(error: unknown): error is CsvError {
  return (
    error instanceof Error &&
    typeof (error as CsvError).code === 'string' &&
    typeof (error as CsvError).lines === 'number'
  );
}

/** The names of the header line's columns (trimmed), or its parse error, never its text. */
function headerColumns(path: string, head: string, delimiter: string): string[] {
  try {
    const [record] = parseCsvSync(head, { delimiter, bom: true, trim: true, relax_quotes: false });
    return (record as string[] | undefined) ?? [];
  } catch (error) {
    if (isCsvError(error)) throw csvProblem(path, { ...error, code: error.code, lines: 1 }, []);
    throw error;
  }
}

/** An error while reading (not parsing) a file: its code, not its message. */
function readFailure(path: string, error: unknown, line: number): InputFileError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'error';
  return new InputFileError(`${path}: cannot be read after line ${line} (${code})`);
}

async function* readJson(path: string, options: ReadOptions): AsyncGenerator<InputRecord> {
  const encoding = options.encoding ?? 'utf8';
  const text = decodeText(bytesOf(path), encoding, (where) => {
    throw badBytes(path, encoding, where, where.column);
  });
  const tagSeparators = options.tagSeparator ?? ';';
  try {
    for await (const element of jsonArrayElements(text, MAX_RECORD_LENGTH)) {
      let value: unknown;
      try {
        value = JSON.parse(element.text);
      } catch {
        // JSON.parse's message quotes the text (a phone number, say): name the place instead.
        const inside = jsonErrorPosition(element.text);
        const line = element.line + inside.line - 1;
        const column = inside.line === 1 ? element.column + inside.column - 1 : inside.column;
        throw new InputFileError(
          `${at(path, line, column)}: record ${element.index} is not valid JSON`,
        );
      }
      yield fromJson(value, element.index, element.text, path, tagSeparators);
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    if (error instanceof JsonShapeError) {
      throw new InputFileError(
        `${path}: not a JSON array of records (${error.message}) at line ${error.line}, column ${error.column}`,
      );
    }
    throw readFailure(path, error, 0);
  }
}

async function* readNdjson(path: string, options: ReadOptions): AsyncGenerator<InputRecord> {
  const encoding = options.encoding ?? 'utf8';
  const text = decodeText(bytesOf(path), encoding, (where) => {
    throw badBytes(path, encoding, where, where.column);
  });
  const tagSeparators = options.tagSeparator ?? ';';
  let lineNumber = 0;
  try {
    for await (const line of boundedLines(path, text)) {
      lineNumber += 1;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        const { column } = jsonErrorPosition(line);
        throw new InputFileError(`${path}:${lineNumber}: not a JSON object (column ${column})`);
      }
      yield fromJson(value, lineNumber, line, path, tagSeparators);
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw readFailure(path, error, lineNumber);
  }
}

/** Lines of a text stream (without `\n` or `\r\n`), refusing one longer than a record may be. */
async function* boundedLines(path: string, text: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  let line = 0;
  for await (const chunk of text) {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      line += 1;
      yield pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_RECORD_LENGTH) throw tooLong(path, line + 1);
  }
  if (pending) yield pending.replace(/\r$/, '');
}

function checkColumns(
  path: string,
  columns: string[],
  delimiter: string,
  mapping?: Record<string, string>,
): void {
  const seen = new Map<string, number>();
  for (const [index, name] of columns.entries()) {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new InputFileError(
        `${path}: line 1: the header names column "${name}" twice (columns ${first + 1} and ${index + 1}); rename or remove one`,
      );
    }
    seen.set(name, index);
  }
  const names = resolveColumns(path, columns, mapping).names;
  const missing = ['key', 'phone'].filter((column) => !names.includes(column));
  if (missing.length) {
    const shown = delimiter === '\t' ? 'a tab' : `"${delimiter}"`;
    const hint =
      columns.length === 1
        ? ` (read with ${shown} as the separator, it has one column: if the file uses another, pass --delimiter)`
        : '';
    const flag = missing.map((field) => `--column ${field}=…`).join(' and ');
    const named =
      columns.length > 1 ? `; it has ${columns.map((name) => `"${name}"`).join(', ')}` : '';
    throw new InputFileError(
      `${path}: the CSV header has no ${missing.join(' or ')} column${hint}${named}; name it with ${flag} (or "columns" in the config file)`,
    );
  }
}

function fromJson(
  value: unknown,
  position: number,
  source: string,
  path: string,
  tagSeparators: string,
): InputRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputFileError(`${path}: record ${position} is not a JSON object`);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.contact === 'object' && record.contact !== null) {
    return withKey(record.key, record.contact as Record<string, unknown>, position, source);
  }
  return fromFlat(record, position, source, tagSeparators);
}

/** A flat row: known columns are contact fields, `tags` is split, the rest custom fields. */
function fromFlat(
  row: Record<string, unknown>,
  position: number,
  source: string,
  tagSeparators: string,
): InputRecord {
  const contact: Record<string, unknown> = {};
  const customFields: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'key' || value === '' || value === undefined || value === null) continue;
    if (column === 'tags' && typeof value === 'string') {
      contact.tags = splitTags(value, tagSeparators)
        .map((tag) => tag.trim())
        .filter(Boolean);
    } else if (CONTACT_COLUMNS.has(column)) {
      contact[column] = value;
    } else if (column === 'customFields' && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) setOwn(customFields, name, item);
    } else {
      setOwn(customFields, column, value);
    }
  }
  if (Object.keys(customFields).length) contact.customFields = customFields;
  return withKey(row.key, contact, position, source);
}

/**
 * Sets a key as the row's own, even `__proto__` (which plain assignment would turn into the
 * object's prototype, dropping it): validation then refuses it by name.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function withKey(
  key: unknown,
  contact: Record<string, unknown>,
  position: number,
  source: string,
): InputRecord {
  const record: InputRecord = {
    position,
    key: typeof key === 'string' ? key.trim() : '',
    contact,
    source,
  };
  if (typeof key === 'number') record.key = String(key);
  if (!record.key) record.problem = { path: 'key', message: 'required' };
  return record;
}

/** A `tags` cell split on any of `separators`, each tag trimmed, empty ones dropped. */
export function splitTags(value: string, separators: string): string[] {
  const pattern = new RegExp(
    `[${[...separators].map((char) => `\\u{${char.codePointAt(0)?.toString(16)}}`).join('')}]`,
    'u',
  );
  return value.split(pattern);
}
