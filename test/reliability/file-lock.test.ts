import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLinkStore } from '../../src/sync/index.js';
import { bundleForChild, spawnNode } from '../support/child-process.js';

const CONTENDERS = 6;
const TRIALS = 8;
const LINKS_EACH = 20;

let directory: string;
let childScript: string;
let deadPid: number;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-lock-'));
  childScript = await bundleForChild(
    new URL('./support/lock-child.ts', import.meta.url),
    'lock-child',
  );
  // A PID that was a process and is not any more: what a SIGKILLed holder leaves in its lock.
  const gone = spawnNode('-e', ['']);
  const pid = gone.child.pid;
  await gone.exit;
  deadPid = pid as number;
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The lock files a dead holder leaves behind, in the format of this version and the one before. */
function staleLock(trial: number): string {
  if (trial % 2 === 0) return String(deadPid);
  return JSON.stringify({ host: hostname(), pid: deadPid, id: randomUUID() });
}

function waitForOutput(run: ReturnType<typeof spawnNode>, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (run.output().includes(text)) resolve();
    };
    run.child.stdout?.on('data', check);
    run.exit.then((exit) => reject(new Error(`child exited before "${text}": ${exit.output}`)));
    check();
  });
}

async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => /\.(tmp|lock|breaking)$/.test(name));
}

describe('the links file lock, taken by several processes at once', () => {
  it('over a stale lock, exactly one process holds it at a time and no link is lost', async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const folder = join(directory, `trial-${trial}`);
      const linksPath = join(folder, 'links.jsonl');
      const holderPath = join(folder, 'holder');
      const seeded = fileLinkStore(linksPath);
      await seeded.set('seed', 'vendor', 'seed-id');
      await seeded.close?.();
      await writeFile(`${linksPath}.lock`, staleLock(trial));
      // What a holder killed mid-compaction and a contender killed mid-lock leave behind.
      await writeFile(`${linksPath}.${deadPid}.tmp`, '{"op":"set","key":"half');
      await writeFile(`${linksPath}.lock.${deadPid}.0badc0de.tmp`, '{"host":');
      // A file of the user's beside it, whatever its name, is not a leftover.
      await writeFile(`${linksPath}.backup.tmp`, 'mine');

      const runs = Array.from({ length: CONTENDERS }, (_, index) =>
        spawnNode(childScript, [linksPath, holderPath, `p${index}`, String(LINKS_EACH)], {
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      await Promise.all(runs.map((run) => waitForOutput(run, 'ready')));
      // All start together, so that they find the stale lock at the same moment.
      for (const run of runs) run.child.stdin?.write('go\n');
      const exits = await Promise.all(runs.map((run) => run.exit));
      for (const exit of exits) {
        expect(exit.code, exit.output).toBe(0);
        expect(exit.output, `trial ${trial}`).not.toContain('OVERLAP');
      }

      const links = fileLinkStore(linksPath);
      expect(await links.get('seed')).toEqual({ vendor: 'seed-id' });
      for (let contender = 0; contender < CONTENDERS; contender++) {
        for (let index = 0; index < LINKS_EACH; index++) {
          expect(await links.get(`p${contender}-${index}`), `trial ${trial}`).toEqual({
            vendor: `p${contender}:${index}`,
          });
        }
      }
      await links.close?.();
      expect(await leftovers(folder)).toEqual(['links.jsonl.backup.tmp']);
    }
  }, 180_000);
});

describe('who owns a lock', () => {
  async function opens(linksPath: string): Promise<boolean | string> {
    const store = fileLinkStore(linksPath);
    try {
      await store.get('x');
      await store.close?.();
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  }

  it("a lock with this process's PID that this process does not hold is a previous process's (PID 1 after a restart)", async () => {
    const linksPath = join(directory, 'same-pid', 'links.jsonl');
    const first = fileLinkStore(linksPath);
    await first.set('a', 'vendor', '1');
    await first.close?.();
    for (const lock of [
      String(process.pid),
      JSON.stringify({ host: hostname(), pid: process.pid, id: randomUUID() }),
    ]) {
      await writeFile(`${linksPath}.lock`, lock);
      expect(await opens(linksPath)).toBe(true);
    }
  });

  it('a second store of this process on the same file is refused while the first holds it', async () => {
    const linksPath = join(directory, 'twice', 'links.jsonl');
    const first = fileLinkStore(linksPath);
    await first.get('x');
    expect(await opens(linksPath)).toMatch(/in use by process \d+ on .*lock file/);
    await first.close?.();
    expect(await opens(linksPath)).toBe(true);
  });

  it('a live PID that started at another time is a reused PID, not the holder', async () => {
    const linksPath = join(directory, 'reused', 'links.jsonl');
    await opens(linksPath);
    const alive = { host: hostname(), pid: process.ppid, id: randomUUID() };
    await writeFile(`${linksPath}.lock`, JSON.stringify(alive));
    expect(await opens(linksPath)).toMatch(/in use/);
    await writeFile(`${linksPath}.lock`, JSON.stringify({ ...alive, start: 'another-boot:1' }));
    expect(await opens(linksPath)).toBe(process.platform === 'linux' ? true : expect.any(String));
  });

  it('a lock from another host is stale only once its holder stopped refreshing it', async () => {
    const linksPath = join(directory, 'other-host', 'links.jsonl');
    await opens(linksPath);
    const lockPath = `${linksPath}.lock`;
    await writeFile(
      lockPath,
      JSON.stringify({ host: `not-${hostname()}`, pid: 1, id: randomUUID() }),
    );
    expect(await opens(linksPath)).toMatch(/in use by process 1 on not-/);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(lockPath, longAgo, longAgo);
    expect(await opens(linksPath)).toBe(true);
    await writeFile(lockPath, '');
    expect(await opens(linksPath)).toMatch(/in use by another process/);
    await utimes(lockPath, longAgo, longAgo);
    expect(await opens(linksPath)).toBe(true);
  });
});

describe('the links file on disk', () => {
  it('keeps its permissions through compaction', async () => {
    for (const mode of [0o600, 0o640]) {
      const linksPath = join(directory, `mode-${mode.toString(8)}`, 'links.jsonl');
      const store = fileLinkStore(linksPath);
      await store.set('a', 'vendor', '1');
      await store.close?.();
      await chmod(linksPath, mode);
      const reopened = fileLinkStore(linksPath);
      await reopened.set('b', 'vendor', '2');
      await reopened.close?.();
      expect((await stat(linksPath)).mode & 0o777).toBe(mode);
      expect(await readFile(linksPath, 'utf8')).toContain('"b"');
    }
  });
});
