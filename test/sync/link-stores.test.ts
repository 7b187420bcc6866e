import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
});

describeLinkStore('fileLinkStore without fsync', {
  makeLinkStore: () => {
    conformancePath = nextPath();
    return fileLinkStore(conformancePath, { fsync: false });
  },
  reopenLinkStore: () => fileLinkStore(conformancePath, { fsync: false }),
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
