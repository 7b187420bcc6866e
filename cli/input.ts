import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import type { ValidationIssue } from '../src/errors.js';
import { jsonArrayElements } from './json-stream.js';

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

/** A file that cannot be read as its format says (exit status 2, nothing sent). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}

const CONTACT_COLUMNS = new Set([
  'phone',
  'firstName',
  'lastName',
  'name',
  'birthday',
  'url',
  'tags',
  'assignedUser',
]);

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

/** Streams the records of a CSV, JSON-array or NDJSON file, one row at a time. */
export function readRecords(path: string, format = formatOf(path)): AsyncGenerator<InputRecord> {
  if (format === 'csv') return readCsv(path);
  if (format === 'json') return readJson(path);
  return readNdjson(path);
}

/** The CSV header line of a file (for `--rejects`), read without loading the file. */
export async function csvHeader(path: string): Promise<string> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line.replace(/^\uFEFF/, '');
  }
  return '';
}

async function* readCsv(path: string): AsyncGenerator<InputRecord> {
  const file = createReadStream(path);
  const parser = file.pipe(
    parseCsv({
      columns: true,
      bom: true,
      raw: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
    }),
  );
  // pipe() does not forward a read error; without this the parser would wait forever.
  file.once('error', (error) => parser.destroy(error));
  let checked = false;
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      raw: string;
      info: { lines: number };
    }>) {
      if (!checked) {
        checkColumns(path, Object.keys(item.record));
        checked = true;
      }
      yield fromFlat(item.record, item.info.lines, item.raw.replace(/\r?\n$/, ''));
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(`${path}: ${(error as Error).message}`);
  }
}

async function* readJson(path: string): AsyncGenerator<InputRecord> {
  try {
    for await (const { text, index } of jsonArrayElements(createReadStream(path, 'utf8'))) {
      yield fromJson(JSON.parse(text), index, text, path);
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(`${path}: not a JSON array of records (${(error as Error).message})`);
  }
}

async function* readNdjson(path: string): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new InputFileError(`${path}:${lineNumber}: not a JSON object`);
      }
      yield fromJson(value, lineNumber, line, path);
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(`${path}: ${(error as Error).message}`);
  }
}

function checkColumns(path: string, columns: string[]): void {
  const missing = ['key', 'phone'].filter((column) => !columns.includes(column));
  if (missing.length) {
    throw new InputFileError(`${path}: the CSV header has no ${missing.join(' or ')} column`);
  }
}

function fromJson(value: unknown, position: number, source: string, path: string): InputRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputFileError(`${path}: record ${position} is not a JSON object`);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.contact === 'object' && record.contact !== null) {
    return withKey(record.key, record.contact as Record<string, unknown>, position, source);
  }
  return fromFlat(record, position, source);
}

/** A flat row: known columns are contact fields, `tags` is `;`-separated, the rest custom fields. */
function fromFlat(row: Record<string, unknown>, position: number, source: string): InputRecord {
  const contact: Record<string, unknown> = {};
  const customFields: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'key' || value === '' || value === undefined || value === null) continue;
    if (column === 'tags' && typeof value === 'string') {
      contact.tags = value
        .split(';')
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
