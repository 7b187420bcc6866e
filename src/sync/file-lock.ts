import { createHash, randomUUID } from 'node:crypto';
import { link, readdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ContactSyncError } from '../errors.js';

/** How often a holder refreshes its lock's mtime, so other hosts can tell it is alive. */
const HEARTBEAT_MS = 10_000;
/** A lock whose owner cannot be asked (another host, unreadable) is stale after this long untouched. */
const STALE_AFTER_MS = 6 * HEARTBEAT_MS;
/** Bound on the takeover loop: each turn either takes the lock, finds a live owner, or retries a lost race. */
const MAX_ATTEMPTS = 50;

/** Who holds a lock: a host, a process and that process's start, and a random id of the hold. */
interface LockOwner {
  host: string;
  pid: number;
  /** The boot and the start time of the process (Linux), so a reused PID is not taken for it. */
  start?: string;
  id: string;
}

/** The ids of the locks this process holds now: a lock with our PID and another id is a previous process's. */
const heldIds = new Set<string>();

/**
 * Takes `<path>.lock` for this holder, so two processes never append to (and compact) the same
 * links file. The lock file is created whole and exclusively (written aside, then hard-linked
 * into place). A stale lock — its process gone, its PID now someone else's, or untouched for
 * `STALE_AFTER_MS` when its owner cannot be asked — is removed only by the one contender that
 * wins an exclusive marker named after that lock's content, after checking the content again: two
 * processes can never both remove it, nor remove a fresh lock taken meanwhile. A live owner is an
 * immediate `invalid_config` error naming the lock file.
 */
export async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  const owner: LockOwner = {
    host: hostname(),
    pid: process.pid,
    start: await startOf(process.pid),
    id: randomUUID(),
  };
  const content = JSON.stringify(owner);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(lockPath, content)) {
      heldIds.add(owner.id);
      await removeLeftovers(lockPath);
      return holding(lockPath, owner.id, content);
    }
    const current = await readLock(lockPath);
    if (!current) continue; // released meanwhile: try again
    if (!(await isStale(current))) {
      const who = current.owner
        ? `process ${current.owner.pid} on ${current.owner.host}`
        : 'another process';
      throw new ContactSyncError({
        code: 'invalid_config',
        message: `[contact-sync] links file is in use by ${who} (lock file ${lockPath}); close the other store first`,
      });
    }
    await removeIfUnchanged(lockPath, current.text);
  }
  throw new ContactSyncError({
    code: 'invalid_config',
    message: `[contact-sync] could not take the lock file ${lockPath}: other processes kept taking it`,
  });
}

/** Keeps the lock's mtime fresh while held; the release removes it only if it is still ours. */
function holding(lockPath: string, id: string, content: string): () => Promise<void> {
  const stillOurs = async () => (await readFile(lockPath, 'utf8').catch(() => '')) === content;
  const heartbeat = setInterval(() => {
    void stillOurs()
      .then((ours) => (ours ? utimes(lockPath, new Date(), new Date()) : undefined))
      .catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    heldIds.delete(id);
    if (await stillOurs()) await unlink(lockPath).catch(() => undefined);
  };
}

/**
 * Creates `path` holding `content`, or returns false when it exists. The content is written to a
 * file of our own first and hard-linked into place, so nobody ever reads a half-written lock.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(temporary, content, { flag: 'wx' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT: the holder cleared our file as a leftover; it exists, so we would have lost anyway.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

interface ReadLock {
  text: string;
  owner?: LockOwner;
  modifiedMs: number;
}

async function readLock(path: string): Promise<ReadLock | undefined> {
  try {
    const [text, stats] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, owner: parseOwner(text), modifiedMs: stats.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Our JSON owner, or the bare PID that earlier versions wrote (taken as this host's). */
function parseOwner(text: string): LockOwner | undefined {
  if (/^\s*\d+\s*$/.test(text)) return { host: hostname(), pid: Number(text), id: text.trim() };
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.host === 'string' &&
      Number.isInteger(value.pid) &&
      typeof value.id === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // Unreadable: judged by its age alone.
  }
  return undefined;
}

async function isStale(lock: ReadLock): Promise<boolean> {
  const { owner } = lock;
  if (!owner || owner.host !== hostname() || !(owner.pid > 0)) {
    return Date.now() - lock.modifiedMs > STALE_AFTER_MS;
  }
  // Our own PID with an id this process does not hold: a previous process that had our PID (a
  // restarted container is PID 1 again), not us.
  if (owner.pid === process.pid) return !heldIds.has(owner.id);
  if (!isRunning(owner.pid)) return true;
  const start = owner.start === undefined ? undefined : await startOf(owner.pid);
  return start !== undefined && start !== owner.start;
}

/**
 * Removes the lock at `path` if it still holds `text`. Only the contender that creates the marker
 * `<path>.<hash of text>.breaking` may do so, and that name can be created once: every other
 * contender that judged the same lock stale backs off and looks again. A marker left by a process
 * killed while breaking is itself a stale lock, broken the same way.
 */
async function removeIfUnchanged(path: string, text: string, depth = 0): Promise<void> {
  const marker = `${path}.${createHash('sha256').update(text).digest('hex').slice(0, 16)}.breaking`;
  const owner: LockOwner = {
    host: hostname(),
    pid: process.pid,
    start: await startOf(process.pid),
    id: randomUUID(),
  };
  if (!(await createExclusive(marker, JSON.stringify(owner)))) {
    const breaker = await readLock(marker);
    if (breaker && depth < 4 && (await isStale(breaker))) {
      await removeIfUnchanged(marker, breaker.text, depth + 1);
    }
    return;
  }
  heldIds.add(owner.id);
  try {
    if ((await readFile(path, 'utf8').catch(() => undefined)) === text) await unlink(path);
  } finally {
    heldIds.delete(owner.id);
    await unlink(marker).catch(() => undefined);
  }
}

/**
 * Removes what killed processes left next to the links file: half-written compactions and lock
 * files (`*.tmp`) and breaking markers. Runs with the lock held, so no live compaction is among
 * them; a contender's lock file in the making may be, and that contender simply tries again.
 */
async function removeLeftovers(lockPath: string): Promise<void> {
  const directory = dirname(lockPath);
  const base = basename(lockPath)
    .replace(/\.lock$/, '')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Only the names this module and the store make: another file beside it is not ours to remove.
  const ours = new RegExp(
    `^${base}\\.(\\d+\\.tmp|lock(\\.[0-9a-f]{16}\\.breaking)*(\\.\\d+\\.[0-9a-f]{8}\\.tmp)?)$`,
  );
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    if (ours.test(name) && name !== basename(lockPath)) {
      await unlink(join(directory, name)).catch(() => undefined);
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The boot id and the start time of a process (Linux `/proc`), which together name one process
 * for good; `undefined` elsewhere, where the PID alone is checked.
 */
async function startOf(pid: number): Promise<string | undefined> {
  try {
    const [boot, stat] = await Promise.all([
      readFile('/proc/sys/kernel/random/boot_id', 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    // Field 22 (start time in clock ticks); fields are counted after the `(name)` that may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const started = fields[19];
    return started ? `${boot.trim()}:${started}` : undefined;
  } catch {
    return undefined;
  }
}
