import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLinkStore, memoryLinkStore } from '../../src/sync/index.js';
import { describeLinkStore } from './support/link-store-conformance.js';

let directory: string;
let counter = 0;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-links-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});
const nextPath = () => join(directory, `links-${++counter}.jsonl`);

describeLinkStore('memoryLinkStore', {
  makeLinkStore: () => memoryLinkStore(),
  requireState: true,
});

let conformancePath = '';
describeLinkStore('fileLinkStore', {
  makeLinkStore: () => {
    conformancePath = nextPath();
    return fileLinkStore(conformancePath);
  },
  reopenLinkStore: () => fileLinkStore(conformancePath),
  requireState: true,
});

describeLinkStore('fileLinkStore without fsync', {
  makeLinkStore: () => {
    conformancePath = nextPath();
    return fileLinkStore(conformancePath, { fsync: false });
  },
  reopenLinkStore: () => fileLinkStore(conformancePath, { fsync: false }),
  requireState: true,
});

describe('fileLinkStore', () => {
  it('appends one JSON line per change and compacts the log when it closes', async () => {
    const path = nextPath();
    const links = fileLinkStore(path);
    await links.set('crm-1', 'smspartner', '101');
    await links.set('crm-1', 'smspartner', '102');
    await links.delete('crm-1', 'smspartner');
    await links.set('crm-2', 'callbell', 'uuid-2');
    const log = (await readFile(path, 'utf8')).trim().split('\n');
    expect(log.map((line) => JSON.parse(line))).toEqual([
      { op: 'set', key: 'crm-1', provider: 'smspartner', id: '101' },
      { op: 'set', key: 'crm-1', provider: 'smspartner', id: '102' },
      { op: 'delete', key: 'crm-1', provider: 'smspartner' },
      { op: 'set', key: 'crm-2', provider: 'callbell', id: 'uuid-2' },
    ]);
    await links.close?.();
    expect(await readFile(path, 'utf8')).toBe(
      `${JSON.stringify({ op: 'set', key: 'crm-2', provider: 'callbell', id: 'uuid-2' })}\n`,
    );
  });

  it('ignores a torn last line left by a crash, and compacts it away on open', async () => {
    const path = nextPath();
    const whole = `${JSON.stringify({ op: 'set', key: 'crm-1', provider: 'smspartner', id: '101' })}\n`;
    await writeFile(path, `${whole}{"op":"set","key":"crm-2","prov`);
    const links = fileLinkStore(path);
    expect(await links.get('crm-1')).toEqual({ smspartner: '101' });
    expect(await links.get('crm-2')).toBeUndefined();
    expect(await readFile(path, 'utf8')).toBe(whole);
    await links.set('crm-3', 'callbell', 'uuid-3');
    await links.close?.();
    const again = fileLinkStore(path);
    expect(await again.get('crm-3')).toEqual({ callbell: 'uuid-3' });
    await again.close?.();
  });

  it('keeps a complete last line that only lacks its newline', async () => {
    const path = nextPath();
    await writeFile(path, JSON.stringify({ op: 'set', key: 'crm-1', provider: 'a', id: '1' }));
    const links = fileLinkStore(path);
    expect(await links.get('crm-1')).toEqual({ a: '1' });
    await links.close?.();
  });

  it('refuses a file damaged in the middle, naming the line, instead of dropping links', async () => {
    const path = nextPath();
    const good = JSON.stringify({ op: 'set', key: 'crm-1', provider: 'a', id: '1' });
    await writeFile(path, `${good}\nnot json\n${good}\n`);
    const links = fileLinkStore(path);
    await expect(links.get('crm-1')).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('line 2'),
    });
  });

  it('refuses a second open of the same file while the first is in use, then allows it', async () => {
    const path = nextPath();
    const first = fileLinkStore(path);
    await first.set('crm-1', 'a', '1');
    const second = fileLinkStore(path);
    await expect(second.get('crm-1')).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('in use'),
    });
    await first.close?.();
    expect(await second.get('crm-1')).toEqual({ a: '1' });
    await second.close?.();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const path = nextPath();
    await writeFile(`${path}.lock`, '999999999');
    const links = fileLinkStore(path);
    await links.set('crm-1', 'a', '1');
    expect(await links.get('crm-1')).toEqual({ a: '1' });
    await links.close?.();
  });

  it('rejects a path that is not a non-empty string with invalid_config', () => {
    expect(() => fileLinkStore('')).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => fileLinkStore('x', { fsync: 'yes' as never })).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path: 'fsync' })],
      }),
    );
  });
});

describe('fileLinkStore at scale', () => {
  it('reads a links file written before the sync state: its links have no fingerprint', async () => {
    const path = nextPath();
    const line = (entry: object) => `${JSON.stringify(entry)}\n`;
    await writeFile(
      path,
      line({ op: 'set', key: 'crm-1', provider: 'smspartner', id: '101' }) +
        line({ op: 'set', key: 'crm-1', provider: 'callbell', id: 'uuid-1' }),
    );
    const links = fileLinkStore(path);
    expect(await links.getState('crm-1')).toEqual({
      smspartner: { id: '101' },
      callbell: { id: 'uuid-1' },
    });
    await links.close();
  });

  it('does not rewrite a file on open when little of it is outdated', async () => {
    const path = nextPath();
    const first = fileLinkStore(path);
    for (let index = 0; index < 50; index++) await first.set(`crm-${index}`, 'a', String(index));
    await first.close();
    const before = await stat(path);
    const again = fileLinkStore(path);
    expect(await again.get('crm-7')).toEqual({ a: '7' });
    await again.close();
    const after = await stat(path);
    expect(after.ino).toBe(before.ino);
    expect(after.size).toBe(before.size);
  });

  it('compacts on demand, keeping states, marks, tombstones and the secret', async () => {
    const path = nextPath();
    const links = fileLinkStore(path);
    const secret = await links.tombstoneSecret();
    for (let index = 0; index < 20; index++) {
      await links.setState(`crm-${index}`, 'a', { id: `old-${index}` });
      await links.setState(`crm-${index}`, 'a', {
        id: `new-${index}`,
        fingerprint: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
        verifiedAt: '2026-12-01T10:00:00.000Z',
      });
    }
    await links.markSeen('run-1', ['crm-3', 'crm-unlinked']);
    await links.tombstone('h-1');
    await links.compact();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    // One secret, twenty links, one tombstone, one mark line.
    expect(lines).toHaveLength(23);
    await links.close();
    const again = fileLinkStore(path);
    expect(await again.tombstoneSecret()).toBe(secret);
    expect(await again.getState('crm-4')).toEqual({
      a: {
        id: 'new-4',
        fingerprint: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
        verifiedAt: '2026-12-01T10:00:00.000Z',
      },
    });
    expect(await again.findKey('a', 'old-4')).toBeUndefined();
    expect(await again.findKey('a', 'new-4')).toBe('crm-4');
    expect(await again.isErased(['h-1'])).toBe(true);
    // A key marked before it was linked counts as seen once it is.
    await again.set('crm-unlinked', 'a', 'x');
    const unseen: string[] = [];
    for await (const key of again.unseen('run-1')) unseen.push(key);
    expect(unseen).not.toContain('crm-3');
    expect(unseen).not.toContain('crm-unlinked');
    expect(unseen).toHaveLength(19);
    await again.close();
  });

  it('agrees with memoryLinkStore over thousands of random changes, and after reopening', async () => {
    const path = nextPath();
    const file = fileLinkStore(path, { fsync: false });
    const memory = memoryLinkStore();
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const providers = ['smspartner', 'callbell', 'notificore', 'brévo'];
    const key = () => `crm-${random(300)}${random(5) === 0 ? 'é\u{1f600}' : ''}`;
    for (let step = 0; step < 4000; step++) {
      const choice = random(10);
      const k = key();
      const provider = providers[random(4)] as string;
      if (choice < 6) {
        const state = {
          id: `id-${random(400)}`,
          ...(random(2)
            ? {
                fingerprint: random(2)
                  ? `fp-${random(9)}`
                  : 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
              }
            : {}),
          ...(random(2)
            ? { verifiedAt: random(2) ? '2026-12-01T10:00:00.000Z' : 'yesterday' }
            : {}),
        };
        await file.setState(k, provider, state);
        await memory.setState?.(k, provider, state);
      } else if (choice < 8) {
        await file.delete(k, provider);
        await memory.delete(k, provider);
      } else if (choice < 9) {
        await file.delete(k);
        await memory.delete(k);
      } else {
        const id = `id-${random(400)}`;
        const found = await file.findKey(provider, id);
        // One key per contact: when the memory store knows several, the file store names one of them or none.
        if (found !== undefined) expect((await memory.get(found))?.[provider]).toBe(id);
        if (found === undefined && (await memory.findKey(provider, id)) !== undefined) continue;
      }
    }
    const compare = async (store: typeof file) => {
      const keys: string[] = [];
      for await (const one of store.keys()) keys.push(one);
      const expected: string[] = [];
      for await (const one of memory.keys?.() ?? []) expected.push(one);
      expect(keys.sort()).toEqual(expected.sort());
      for (const one of expected)
        expect(await store.getState(one)).toEqual(await memory.getState?.(one));
    };
    await compare(file);
    await file.close();
    const again = fileLinkStore(path);
    await compare(again);
    await again.close();
  });

  it('warns once past warnAtKeys, naming the server stores, and keeps working', async () => {
    const path = nextPath();
    const warnings: string[] = [];
    const links = fileLinkStore(path, {
      warnAtKeys: 3,
      onWarning: (message) => warnings.push(message),
    });
    for (let index = 0; index < 5; index++) await links.set(`crm-${index}`, 'a', String(index));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/3 keys.*redisLinkStore.*postgresLinkStore/);
    expect(await links.get('crm-4')).toEqual({ a: '4' });
    await links.close();
    const again = fileLinkStore(path, {
      warnAtKeys: 3,
      onWarning: (message) => warnings.push(message),
    });
    expect(await again.get('crm-0')).toEqual({ a: '0' });
    expect(warnings).toHaveLength(2);
    await again.close();
    expect(() => fileLinkStore(path, { warnAtKeys: 0 })).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path: 'warnAtKeys' })],
      }),
    );
  });
});
