import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { ContactSyncError, invalidConfig } from '../errors.js';
import { acquireLock } from './file-lock.js';
import {
  applyEntry,
  compactedChunks,
  formatEntry,
  type LinkLogEntry,
  liveLines,
  replayFile,
  setEntry,
} from './link-log.js';
import type { LinkState, LinkStore } from './link-store.js';
import { PackedLinks } from './packed-links.js';

/**
 * Bytes of memory the file store's index takes per key linked at three vendors with fingerprints
 * and `verifiedAt`, about (measured at 100,000 keys: 28 MB of heap and 5 MB of tables; `npm run
 * bench:links`). Used for the size warning.
 */
export const FILE_LINK_STORE_BYTES_PER_KEY = 350;

/** Options of {@link fileLinkStore}. */
export interface FileLinkStoreOptions {
  /**
   * `fsync` every batch of appends before `set`/`delete` resolve, so links survive a power loss
   * or an OS crash, not only a killed process. Appends that arrive together share one fsync.
   * With `false`, each append is still written to the OS before it resolves (enough for a process
   * killed with SIGKILL). Default `true`.
   */
  fsync?: boolean;
  /**
   * The number of linked keys past which the store warns once that its in-memory index is getting
   * large, naming the way out (`redisLinkStore`, `postgresLinkStore`). Default: the keys whose
   * index would take a third of this process's heap limit (`v8.getHeapStatistics()
   * .heap_size_limit`), about 4,000,000 keys with a 4 GB heap. The store keeps working past it.
   */
  warnAtKeys?: number;
  /**
   * Where that warning goes. Default `process.emitWarning` with code
   * `CONTACT_SYNC_LINKS_FILE_LARGE`.
   */
  onWarning?: (message: string) => void;
}

/** A file store: a `LinkStore` with the whole sync state, and a way to compact it on demand. */
export interface FileLinkStore extends Required<LinkStore> {
  /**
   * Rewrites the file with only the live links, marks and tombstones (written aside, fsynced, then
   * renamed over the old file: a crash at any point leaves one whole file). The store compacts by
   * itself when more than half of the file's lines are outdated; this forces it.
   */
  compact(): Promise<void>;
}

interface OpenFile {
  links: PackedLinks;
  handle: FileHandle;
  release: () => Promise<void>;
  /** Lines in the file now (live or outdated). */
  lines: number;
}

interface PendingAppend {
  entry: LinkLogEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Outdated lines that make an open store compact itself, at least (besides being half the file). */
const COMPACT_MIN_DEAD = 10_000;

/**
 * Links in one file, embedded and durable: an append-only log of JSON lines, read as a stream when
 * the store opens (on first use) and compacted only when most of it is outdated. A process killed
 * at any moment loses at most the appends still in flight, and a torn last line is cut off on the
 * next open. One process at a time (a `<path>.lock` file guards it). The links are held in memory,
 * packed (about {@link FILE_LINK_STORE_BYTES_PER_KEY} bytes per key at three vendors); past
 * `warnAtKeys` the store warns that a server store would suit better.
 */
export function fileLinkStore(path: string, options: FileLinkStoreOptions = {}): FileLinkStore {
  if (typeof path !== 'string' || path.trim() === '') {
    throw invalidConfig([{ path: 'path', message: 'expected a non-empty file path' }]);
  }
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') {
    throw invalidConfig([{ path: 'fsync', message: 'expected a boolean' }]);
  }
  if (
    options.warnAtKeys !== undefined &&
    !(Number.isSafeInteger(options.warnAtKeys) && options.warnAtKeys > 0)
  ) {
    throw invalidConfig([{ path: 'warnAtKeys', message: 'expected a positive integer' }]);
  }
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw invalidConfig([{ path: 'onWarning', message: 'expected a function' }]);
  }
  const fsync = options.fsync ?? true;
  const warnAtKeys = options.warnAtKeys ?? defaultWarnAtKeys();
  const warn =
    options.onWarning ??
    ((message: string) => process.emitWarning(message, { code: 'CONTACT_SYNC_LINKS_FILE_LARGE' }));
  let warned = false;
  let opening: Promise<OpenFile> | undefined;
  let pending: PendingAppend[] = [];
  let writing: Promise<void> | undefined;
  let compactWanted: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  function checkSize(links: PackedLinks): void {
    if (warned || links.size < warnAtKeys) return;
    warned = true;
    warn(
      `[contact-sync] the links file ${path} holds ${links.size} keys, held in memory at about ${FILE_LINK_STORE_BYTES_PER_KEY} bytes each (warning at ${warnAtKeys}): past a few million keys, keep the links in redisLinkStore (contact-sync/redis) or postgresLinkStore (contact-sync/postgres) instead`,
    );
  }

  function file(): Promise<OpenFile> {
    if (!opening) {
      const attempt = openLog(path).then((opened) => {
        checkSize(opened.links);
        return opened;
      });
      opening = attempt;
      // A failed open is retried by the next call instead of being cached forever.
      attempt.catch(() => {
        if (opening === attempt) opening = undefined;
      });
    }
    return opening;
  }

  function append(entry: LinkLogEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      pending.push({ entry, resolve, reject });
      writing ??= flush();
    });
  }

  /** Writes every waiting append in one write (and one fsync), and compacts, until none is left. */
  async function flush(): Promise<void> {
    try {
      const opened = await file();
      while (pending.length || compactWanted.length) {
        if (compactWanted.length || shouldCompact(opened, COMPACT_MIN_DEAD)) {
          const waiting = compactWanted;
          compactWanted = [];
          try {
            await compactOpen(path, opened);
            for (const one of waiting) one.resolve();
          } catch (error) {
            for (const one of waiting) one.reject(error);
          }
          continue;
        }
        const batch = pending;
        pending = [];
        try {
          await opened.handle.appendFile(
            batch.map((waiting) => formatEntry(waiting.entry)).join(''),
          );
          if (fsync) await opened.handle.datasync();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        opened.lines += batch.length;
        for (const waiting of batch) {
          applyEntry(opened.links, waiting.entry);
          waiting.resolve();
        }
        checkSize(opened.links);
      }
    } catch (error) {
      rejectAll(error);
    } finally {
      // Runs in the same tick as the last `pending.length` check, so no append is left waiting.
      writing = undefined;
    }
  }

  function rejectAll(error: unknown): void {
    const batch = pending;
    pending = [];
    for (const append of batch) append.reject(error);
    const compactions = compactWanted;
    compactWanted = [];
    for (const one of compactions) one.reject(error);
  }

  return {
    async get(key) {
      const state = (await file()).links.getState(key);
      if (!state) return undefined;
      const result: Record<string, string> = {};
      for (const [provider, link] of state) result[provider] = link.id;
      return result;
    },
    async getState(key) {
      const state = (await file()).links.getState(key);
      return state ? Object.fromEntries(state) : undefined;
    },
    async findKey(provider, id) {
      return (await file()).links.findKeyOf(provider, id);
    },
    set: (key, provider, id) => append({ op: 'set', key, provider, id }),
    setState: (key, provider, state) => append(setEntry(key, provider, state)),
    delete: (key, provider) =>
      append(provider === undefined ? { op: 'delete', key } : { op: 'delete', key, provider }),
    async *keys(options) {
      const { links } = await file();
      for (const key of links.keys()) {
        options?.signal?.throwIfAborted();
        yield key;
      }
    },
    markSeen: (run, keys) => append({ op: 'mark', run, keys: [...keys] }),
    async *unseen(run, options) {
      const { links } = await file();
      for (const key of links.unseen(run)) {
        options?.signal?.throwIfAborted();
        yield key;
      }
    },
    endRun: (run) => append({ op: 'endRun', run }),
    tombstone: (hash) => append({ op: 'tombstone', hash }),
    untombstone: (hash) => append({ op: 'untombstone', hash }),
    async isErased(hashes) {
      const { links } = await file();
      return hashes.some((hash) => links.tombstones.has(hash));
    },
    async tombstoneSecret() {
      const { links } = await file();
      if (links.secret === undefined) {
        // Written before it is used, so every later hash is made with the secret that stays.
        await append({ op: 'secret', secret: randomBytes(32).toString('base64url') });
      }
      return links.secret as string;
    },
    compact() {
      return new Promise<void>((resolve, reject) => {
        compactWanted.push({ resolve, reject });
        writing ??= flush();
      });
    },
    async close() {
      if (!opening) return;
      const opened = opening;
      await writing?.catch(() => undefined);
      opening = undefined;
      const state = await opened;
      try {
        if (shouldCompact(state, 0)) await compactOpen(path, state);
      } finally {
        await state.handle.close().catch(() => undefined);
        await state.release();
      }
    },
  };
}

/** The keys whose index would take a third of the heap limit. */
function defaultWarnAtKeys(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 3 / FILE_LINK_STORE_BYTES_PER_KEY);
}

/** More than half the file's lines are outdated, and at least `minDead` of them. */
function shouldCompact(opened: OpenFile, minDead: number): boolean {
  const dead = opened.lines - liveLines(opened.links);
  return dead > minDead && dead * 2 > opened.lines;
}

async function openLog(path: string): Promise<OpenFile> {
  await mkdir(dirname(path), { recursive: true });
  const release = await acquireLock(`${path}.lock`);
  try {
    const links = new PackedLinks();
    // The lines of one key come together in a compacted file: applied at once, one record each.
    let group: { key: string; states: [string, LinkState][] } | undefined;
    const applyGroup = () => {
      if (group) links.setStates(group.key, group.states);
      group = undefined;
    };
    const replay = await replayFile(path, (entry) => {
      if (entry.op === 'set') {
        if (group && group.key !== entry.key) applyGroup();
        group ??= { key: entry.key, states: [] };
        group.states.push([entry.provider, entry]);
        return;
      }
      applyGroup();
      applyEntry(links, entry);
    });
    applyGroup();
    if (replay.badLine !== undefined) {
      throw new ContactSyncError({
        code: 'invalid_config',
        message: `[contact-sync] links file ${path} is damaged at line ${replay.badLine}: fix or remove that line`,
      });
    }
    const handle = await open(path, replay.size ? 'r+' : 'a');
    const opened: OpenFile = { links, handle, release, lines: replay.lines };
    try {
      // A torn tail is cut off, and a whole last line gets its newline, before the first append.
      if (replay.wholeBytes < replay.size) await handle.truncate(replay.wholeBytes);
      if (replay.size) {
        await handle.close();
        opened.handle = await open(path, 'a');
      }
      if (replay.missingNewline) await opened.handle.appendFile('\n');
      if (shouldCompact(opened, COMPACT_MIN_DEAD)) await compactOpen(path, opened);
    } catch (error) {
      await opened.handle.close().catch(() => undefined);
      throw error;
    }
    return opened;
  } catch (error) {
    await release();
    throw error;
  }
}

/** Compacts the file of an open store and points its handle at the new file. */
async function compactOpen(path: string, opened: OpenFile): Promise<void> {
  const lines = await writeCompacted(path, opened.links);
  await opened.handle.close().catch(() => undefined);
  opened.handle = await open(path, 'a');
  opened.lines = lines;
}

/**
 * Replaces the file atomically: the live entries are streamed to `<path>.<pid>.tmp` a chunk at a
 * time, fsynced, then renamed over the file and the directory fsynced. A crash leaves either the
 * old log or the new one, whole (the open that follows removes a leftover temporary file). The new
 * file keeps the old one's permissions (a 0600 file stays 0600); it is written as 0600 until then.
 * Returns the lines written.
 */
async function writeCompacted(path: string, links: PackedLinks): Promise<number> {
  const temporary = `${path}.${process.pid}.tmp`;
  const mode = await stat(path).then(
    (stats) => stats.mode & 0o7777,
    () => undefined,
  );
  const handle = await open(temporary, 'w', mode === undefined ? 0o666 : 0o600);
  let lines = 0;
  try {
    if (mode !== undefined) await handle.chmod(mode);
    for (const chunk of compactedChunks(links)) {
      await handle.write(chunk);
      for (let index = chunk.indexOf('\n'); index >= 0; index = chunk.indexOf('\n', index + 1))
        lines++;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
  return lines;
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  // Some platforms cannot fsync a directory; the rename is still atomic there.
  await handle
    ?.sync()
    .catch(() => undefined)
    .finally(() => handle.close());
}
