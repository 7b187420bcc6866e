import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ContactSyncError, invalidConfig } from '../errors.js';
import { acquireLock } from './file-lock.js';
import { indexChange, type KeyIndex, keyIndexOf } from './key-index.js';
import {
  applyEntry,
  compactedLog,
  formatEntry,
  type LinkLogEntry,
  type LinkTable,
  replayLog,
} from './link-log.js';
import type { LinkStore } from './link-store.js';

/** Options of {@link fileLinkStore}. */
export interface FileLinkStoreOptions {
  /**
   * `fsync` every batch of appends before `set`/`delete` resolve, so links survive a power loss
   * or an OS crash, not only a killed process. Appends that arrive together share one fsync.
   * With `false`, each append is still written to the OS before it resolves (enough for a process
   * killed with SIGKILL). Default `true`.
   */
  fsync?: boolean;
}

interface OpenFile {
  table: LinkTable;
  /** The reverse of `table`, for `findKey`. */
  keys: KeyIndex;
  handle: FileHandle;
  release: () => Promise<void>;
}

interface PendingAppend {
  entry: LinkLogEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Links in one file, embedded and durable: an append-only log of JSON lines, compacted when the
 * store opens (on first use) and when it closes. A process killed at any moment loses at most the
 * appends still in flight, and a torn last line is ignored on the next open. One process at a time
 * (a `<path>.lock` file guards it); the whole table is held in memory.
 */
export function fileLinkStore(path: string, options: FileLinkStoreOptions = {}): LinkStore {
  if (typeof path !== 'string' || path.trim() === '') {
    throw invalidConfig([{ path: 'path', message: 'expected a non-empty file path' }]);
  }
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') {
    throw invalidConfig([{ path: 'fsync', message: 'expected a boolean' }]);
  }
  const fsync = options.fsync ?? true;
  let opening: Promise<OpenFile> | undefined;
  let pending: PendingAppend[] = [];
  let writing: Promise<void> | undefined;

  function file(): Promise<OpenFile> {
    if (!opening) {
      const attempt = openLog(path);
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

  /** Writes every waiting append in one write (and one fsync), until none is left. */
  async function flush(): Promise<void> {
    try {
      const { table, keys, handle } = await file();
      while (pending.length) {
        const batch = pending;
        pending = [];
        try {
          await handle.appendFile(batch.map((waiting) => formatEntry(waiting.entry)).join(''));
          if (fsync) await handle.datasync();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        for (const waiting of batch) {
          indexChange(keys, table, waiting.entry);
          applyEntry(table, waiting.entry);
          waiting.resolve();
        }
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
  }

  return {
    async get(key) {
      const byProvider = (await file()).table.get(key);
      return byProvider ? Object.fromEntries(byProvider) : undefined;
    },
    async findKey(provider, id) {
      return (await file()).keys.find(provider, id);
    },
    set: (key, provider, id) => append({ op: 'set', key, provider, id }),
    delete: (key, provider) =>
      append(provider === undefined ? { op: 'delete', key } : { op: 'delete', key, provider }),
    async close() {
      if (!opening) return;
      const current = opening;
      await writing?.catch(() => undefined);
      opening = undefined;
      const { table, handle, release } = await current;
      await handle.close();
      await writeCompacted(path, table);
      await release();
    },
  };
}

async function openLog(path: string): Promise<OpenFile> {
  await mkdir(dirname(path), { recursive: true });
  const release = await acquireLock(`${path}.lock`);
  try {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const { table, badLine } = replayLog(text);
    if (badLine !== undefined) {
      throw new ContactSyncError({
        code: 'invalid_config',
        message: `[contact-sync] links file ${path} is damaged at line ${badLine}: fix or remove that line`,
      });
    }
    await writeCompacted(path, table);
    return { table, keys: keyIndexOf(table), handle: await open(path, 'a'), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Replaces the file atomically: a crash leaves either the old log or the new one, whole. The new
 * file keeps the old one's permissions (a 0600 file stays 0600); it is written as 0600 until then.
 */
async function writeCompacted(path: string, table: LinkTable): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const mode = await stat(path).then(
    (stats) => stats.mode & 0o7777,
    () => undefined,
  );
  const handle = await open(temporary, 'w', mode === undefined ? 0o666 : 0o600);
  try {
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(compactedLog(table));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  // Some platforms cannot fsync a directory; the rename is still atomic there.
  await handle
    ?.sync()
    .catch(() => undefined)
    .finally(() => handle.close());
}
