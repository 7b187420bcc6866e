import { createReadStream } from 'node:fs';
import type { LinkState } from './link-store.js';
import type { PackedLinks } from './packed-links.js';

/**
 * The line format of `fileLinkStore`: one JSON object per line, appended in order and replayed on
 * open. `set` lines may carry a `fingerprint` and `verifiedAt` (lines written before the sync state
 * have neither); mirror marks, tombstones and the tombstone secret have lines of their own. A
 * compacted file holds only `secret`, `set`, `tombstone` and `mark` lines.
 */
export type LinkLogEntry =
  | {
      op: 'set';
      key: string;
      provider: string;
      id: string;
      fingerprint?: string;
      verifiedAt?: string;
    }
  | { op: 'delete'; key: string; provider?: string }
  | { op: 'mark'; run: string; keys: string[] }
  | { op: 'endRun'; run: string }
  | { op: 'tombstone'; hash: string }
  | { op: 'untombstone'; hash: string }
  | { op: 'secret'; secret: string };

export function formatEntry(entry: LinkLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The `set` line of one link with its state. */
export function setEntry(key: string, provider: string, state: LinkState): LinkLogEntry {
  const entry: LinkLogEntry = { op: 'set', key, provider, id: state.id };
  if (state.fingerprint !== undefined) entry.fingerprint = state.fingerprint;
  if (state.verifiedAt !== undefined) entry.verifiedAt = state.verifiedAt;
  return entry;
}

/** Applies one entry to the in-memory index. */
export function applyEntry(links: PackedLinks, entry: LinkLogEntry): void {
  switch (entry.op) {
    case 'set':
      links.setState(entry.key, entry.provider, entry);
      return;
    case 'delete':
      links.delete(entry.key, entry.provider);
      return;
    case 'mark':
      links.markSeen(entry.run, entry.keys);
      return;
    case 'endRun':
      links.endRun(entry.run);
      return;
    case 'tombstone':
      links.tombstones.add(entry.hash);
      return;
    case 'untombstone':
      links.tombstones.delete(entry.hash);
      return;
    case 'secret':
      links.secret ??= entry.secret;
      return;
  }
}

/** What replaying a file found. */
export interface Replay {
  /** Lines applied. */
  lines: number;
  /** The line number of a malformed line before the last one: the file is damaged. */
  badLine?: number;
  /** Bytes up to the end of the last whole line (where a torn tail starts). */
  wholeBytes: number;
  /** The file ends in a line that parses but has no newline. */
  missingNewline: boolean;
  /** The file's size. */
  size: number;
}

const NEWLINE = 0x0a;

/**
 * Replays a log as a stream of 1 MiB chunks: never the whole file in memory, never one string.
 * Only the text after the last newline may be torn (a process killed mid-append writes a prefix
 * of one line and never a newline after it): it is ignored unless it parses. A malformed line
 * anywhere else means the file was damaged some other way, and is reported by line number instead
 * of being dropped silently. A missing file replays as empty.
 */
export async function replayFile(
  path: string,
  apply: (entry: LinkLogEntry) => void,
): Promise<Replay> {
  const replay: Replay = { lines: 0, wholeBytes: 0, missingNewline: false, size: 0 };
  let rest: Buffer | undefined;
  let lineNumber = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      replay.size += bytes.length;
      const data = rest ? Buffer.concat([rest, bytes]) : bytes;
      let start = 0;
      for (;;) {
        const end = data.indexOf(NEWLINE, start);
        if (end < 0) break;
        lineNumber++;
        const entry = lineAt(data, start, end);
        if (entry === null) {
          replay.badLine = lineNumber;
          return replay;
        }
        if (entry) {
          apply(entry);
          replay.lines++;
        }
        start = end + 1;
      }
      replay.wholeBytes = replay.size - (data.length - start);
      rest = start < data.length ? data.subarray(start) : undefined;
      // A copy, so the rest does not keep the whole chunk alive.
      if (rest) rest = Buffer.from(rest);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return replay;
    throw error;
  }
  if (rest) {
    const entry = lineAt(rest, 0, rest.length);
    if (entry) {
      apply(entry);
      replay.lines++;
      replay.missingNewline = true;
      replay.wholeBytes = replay.size;
    }
  }
  return replay;
}

/** The entry of one line; `undefined` for a blank line, `null` for a malformed one. */
function lineAt(data: Buffer, start: number, end: number): LinkLogEntry | undefined | null {
  let first = start;
  while (first < end && (data[first] === 0x20 || data[first] === 0x0d || data[first] === 0x09))
    first++;
  if (first === end) return undefined;
  return parseEntry(data.toString('utf8', start, end)) ?? null;
}

const isString = (value: unknown): value is string => typeof value === 'string';

export function parseEntry(line: string): LinkLogEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { op, key, provider, id } = record;
  switch (op) {
    case 'set': {
      const { fingerprint, verifiedAt } = record;
      if (!isString(key) || !isString(provider) || !isString(id)) return undefined;
      if (fingerprint !== undefined && !isString(fingerprint)) return undefined;
      if (verifiedAt !== undefined && !isString(verifiedAt)) return undefined;
      const entry: LinkLogEntry = { op, key, provider, id };
      if (fingerprint !== undefined) entry.fingerprint = fingerprint;
      if (verifiedAt !== undefined) entry.verifiedAt = verifiedAt;
      return entry;
    }
    case 'delete':
      if (!isString(key) || (provider !== undefined && !isString(provider))) return undefined;
      return provider === undefined ? { op, key } : { op, key, provider };
    case 'mark': {
      const { run, keys } = record;
      if (!isString(run) || !Array.isArray(keys) || !keys.every(isString)) return undefined;
      return { op, run, keys };
    }
    case 'endRun':
      return isString(record.run) ? { op, run: record.run } : undefined;
    case 'tombstone':
    case 'untombstone':
      return isString(record.hash) ? { op, hash: record.hash } : undefined;
    case 'secret':
      return isString(record.secret) ? { op, secret: record.secret } : undefined;
    default:
      return undefined;
  }
}

/** How many keys one compacted `mark` line holds. */
const MARKS_PER_LINE = 500;

/**
 * Every live entry of `links` as the lines of a compacted file, in chunks of about `chunkSize`
 * characters: the file is written a chunk at a time, never as one string.
 */
export function* compactedChunks(links: PackedLinks, chunkSize = 1 << 20): Generator<string> {
  let chunk = '';
  const add = (entry: LinkLogEntry) => {
    chunk += formatEntry(entry);
  };
  if (links.secret !== undefined) add({ op: 'secret', secret: links.secret });
  for (const [key, provider, state] of links.entries()) {
    add(setEntry(key, provider, state));
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  for (const hash of links.tombstones) add({ op: 'tombstone', hash });
  for (const [run, keys] of links.marks()) {
    let batch: string[] = [];
    for (const key of keys) {
      batch.push(key);
      if (batch.length === MARKS_PER_LINE) {
        add({ op: 'mark', run, keys: batch });
        batch = [];
        if (chunk.length >= chunkSize) {
          yield chunk;
          chunk = '';
        }
      }
    }
    if (batch.length) add({ op: 'mark', run, keys: batch });
  }
  if (chunk) yield chunk;
}

/** The number of lines {@link compactedChunks} would write, about. */
export function liveLines(links: PackedLinks): number {
  return (
    links.links +
    links.tombstones.size +
    (links.secret === undefined ? 0 : 1) +
    Math.ceil(links.markCount / MARKS_PER_LINE)
  );
}
