import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLinkStore } from '../../src/sync/index.js';
import { bundleForChild, spawnNode } from '../support/child-process.js';
import { waitFor } from '../support/wait-for.js';

/** Big enough that a compaction takes many milliseconds, small enough for a loaded machine. */
const KEYS = 20_000;
const PROVIDERS = ['smspartner', 'callbell', 'notificore'];
const FINGERPRINT = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

let directory: string;
let childScript: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-compact-'));
  childScript = await bundleForChild(
    new URL('./support/compact-child.ts', import.meta.url),
    'compact-child',
  );
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function seed(path: string): Promise<void> {
  const links = fileLinkStore(path, { fsync: false });
  for (let index = 0; index < KEYS; index++) {
    await Promise.all(
      PROVIDERS.map((provider) =>
        links.setState(`crm-${index}`, provider, {
          id: `${provider}-${index}`,
          fingerprint: FINGERPRINT,
          verifiedAt: '2026-12-01T10:00:00.000Z',
        }),
      ),
    );
  }
  await links.tombstone('erased-hash');
  await links.markSeen('run-1', ['crm-0', 'crm-1']);
  await links.close();
}

/** The temporary file of a compaction in progress, written to already. */
function compactionUnderWay(path: string, pid: number): boolean {
  const temporary = `${path}.${pid}.tmp`;
  return existsSync(temporary) && statSync(temporary, { throwIfNoEntry: false })?.size !== 0;
}

describe('fileLinkStore compaction across a SIGKILL', () => {
  it('loses no link, acknowledged update, mark or tombstone when killed mid-compaction, three times', async () => {
    const path = join(directory, 'links.jsonl');
    await seed(path);
    let acked = 0;
    for (const round of [1, 2, 3]) {
      const child = spawnNode(childScript, [], {
        env: { ...process.env, LINKS_PATH: path, KEYS: String(KEYS) },
      });
      const pid = child.child.pid as number;
      // Round 1 is killed as the temporary file fills, round 2 right after an acknowledgement,
      // round 3 while a later compaction writes.
      if (round === 2) await child.printed(/acked \d+/, 'an acknowledged batch');
      else await child.printed(/compacting 2/, 'a second compaction');
      await waitFor(() => compactionUnderWay(path, pid) || round === 2, 'a compaction writing', {
        intervalMs: 1,
      });
      child.child.kill('SIGKILL');
      const exit = await child.exit;
      expect(exit.signal, exit.output).toBe('SIGKILL');
      const printed = [...exit.stdout.matchAll(/acked (\d+)/g)].map((match) => Number(match[1]));
      const thisRun = printed.at(-1) ?? 0;

      const links = fileLinkStore(path);
      try {
        for (let index = 0; index < KEYS; index++) {
          const state = await links.getState(`crm-${index}`);
          expect(Object.keys(state ?? {}).sort(), `crm-${index}`).toEqual([...PROVIDERS].sort());
          const id = state?.smspartner?.id;
          // An update acknowledged by this run or an earlier one is there; others may or may not be.
          if (index < Math.max(acked, thisRun)) expect(id).toBe(`v2-${index}`);
          else expect([`smspartner-${index}`, `v2-${index}`]).toContain(id);
          expect(state?.callbell).toEqual({
            id: `callbell-${index}`,
            fingerprint: FINGERPRINT,
            verifiedAt: '2026-12-01T10:00:00.000Z',
          });
        }
        expect(await links.isErased(['erased-hash'])).toBe(true);
        const unseen = new Set<string>();
        for await (const key of links.unseen('run-1')) unseen.add(key);
        expect(unseen.has('crm-0') || unseen.has('crm-1')).toBe(false);
        expect(unseen.size).toBe(KEYS - 2);
      } finally {
        await links.close();
      }
      acked = Math.max(acked, thisRun);
      // The open removed the killed compaction's temporary file.
      expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    }
  });
});
