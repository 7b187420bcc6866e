import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, bundleForChild, spawnNode } from '../support/child-process.js';

/**
 * examples/french-export: a French CRM's nightly export as French Excel writes it (Windows-1252,
 * `;`, CRLF, French headers, accents in names and tags, three rows wrong on purpose), pushed by
 * the example's own rehearsal script against the sandbox with the account mirrored. Every row but
 * the three is synced at every vendor; the rejects file holds exactly those three, byte for byte.
 */
const example = fileURLToPath(new URL('../../examples/french-export/', import.meta.url));
const FILES = ['crm-export.csv', 'contact-sync.config.json', 'account.json'];

let dir: string;
let cli: string;
let script: string;

beforeAll(async () => {
  [cli, script, dir] = await Promise.all([
    buildCli(),
    bundleForChild(new URL('rehearse.mjs', `file://${example}`), 'french-export', {
      packageFromSources: true,
    }),
    mkdtemp(join(tmpdir(), 'contact-sync-french-')),
  ]);
  for (const name of FILES) await copyFile(join(example, name), join(dir, name));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a French Excel export (examples/french-export)', () => {
  it('is pushed with no rejects but the rows wrong on purpose', async () => {
    const run = await spawnNode(script, [], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', CONTACT_SYNC_BIN: `${process.execPath} ${cli}` },
    }).exit;
    expect(run.code, run.output).toBe(1);
    expect(run.stdout).toContain('9 records, 6 fully synced, 3 with failures');
    expect(run.stdout).toMatch(/^smspartner +6 +0 +0 +3 +0$/m);
    expect(run.stdout).toMatch(/^callbell +6 +0 +0 +3 +0$/m);
    expect(run.stdout).toMatch(/^notificore +6 +0 +0 +3 +0$/m);
    expect(run.stdout).toContain('"Téléphone portable" as phone');
    expect(run.stdout).toContain('Landlines: 1 record has a fixed-line phone');
    expect(run.stdout).toContain('The sandbox now holds: smspartner 6, callbell 6, notificore 6.');

    const source = await readFile(join(dir, 'crm-export.csv'));
    const lines = source.toString('latin1').split('\r\n');
    const wrong = [lines[0], ...lines.filter((line) => /^CRM-0007;|^;|^CRM-0009;/.test(line)), ''];
    const rejects = await readFile(join(dir, 'rejets.csv'));
    expect(rejects.equals(Buffer.from(wrong.join('\r\n'), 'latin1'))).toBe(true);

    const report = (await readFile(join(dir, 'rapport.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const failed = new Set(
      report.filter((line) => line.status === 'failed').map((line) => line.position),
    );
    expect([...failed].sort((a, b) => a - b)).toEqual([8, 9, 10]);
  });
});
