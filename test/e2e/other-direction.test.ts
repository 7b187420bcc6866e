import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maskPhone } from '../../cli/mask-phone.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { CSV_HEADER, csvRows, runCli, sandboxConfig, scratchFolder } from './cli-runner.js';

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;
let config: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  files = await scratchFolder();
  config = await files.write('contact-sync.config.json', sandboxConfig(sandbox));
});
afterAll(async () => {
  await sandbox.close();
  await files.remove();
});
beforeEach(() => sandbox.reset());

const writes = () =>
  sandbox.requests.filter(
    (request) => request.method !== 'GET' && !request.path.endsWith('/auth/login'),
  );

describe('contact-sync optouts', () => {
  it('with --apply, a phone opted out at SMS Partner ends on Notificore’s stop list; --out writes the CSV with the key', async () => {
    const links = files.path('optouts-links.jsonl');
    const input = await files.write('optouts.csv', [CSV_HEADER, ...csvRows(2)].join('\n'));
    expect((await runCli(['push', input, '--config', config, '--links', links])).status).toBe(0);
    sandbox.emulators.smspartner.stopList.stop('+33610000001');

    const out = files.path('optouts.out.csv');
    const run = await runCli([
      'optouts',
      '--apply',
      '--config',
      config,
      '--links',
      links,
      '--out',
      out,
    ]);

    expect(run.stderr).toContain('1 opted-out phones across 3 vendors');
    expect(run.status).toBe(0);
    expect(sandbox.emulators.notificore.stopList.phones('sms')).toEqual(['+33610000001']);
    const csv = (await readFile(out, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('key,phone,provider,channel,at');
    expect(csv[1]).toMatch(/^k1,\+33610000001,smspartner,sms,\d{4}-\d\d-\d\dT/);
    // A pipe gets the whole phone (it is data); a terminal gets it masked.
    expect(run.stdout).toContain('+33610000001');
  });

  it('without --apply writes nothing, and exits 1 naming a vendor whose list cannot be read', async () => {
    sandbox.emulators.smspartner.stopList.stop('+33610000009');
    const broken = await files.write('broken.config.json', {
      ...sandboxConfig(sandbox, false),
      stores: sandboxConfig(sandbox, false).stores.map((store) =>
        store.provider === 'notificore' ? { ...store, apiKey: 'test_wrong-key' } : store,
      ),
    });
    const run = await runCli(['optouts', '--config', broken]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('notificore: the opt-outs could not be read (unauthorized)');
    expect(writes()).toEqual([]);
  });

  it('masks phones for a terminal as +33 6•• •• •• 78', () => {
    expect(maskPhone('+33612345678')).toBe('+33 6•• •• •• 78');
  });
});

describe('contact-sync export and migrate', () => {
  it('exports NDJSON records push can read back, keys from the links else <provider>:<id>', async () => {
    const links = files.path('export-links.jsonl');
    const input = await files.write('export.csv', [CSV_HEADER, ...csvRows(3)].join('\n'));
    expect(
      (await runCli(['push', input, '--config', config, '--links', links, '--only', 'callbell']))
        .status,
    ).toBe(0);
    await sandbox.seed('callbell', [{ phone: '+33699000001', name: 'Walk-in' }]);

    const out = files.path('callbell.ndjson');
    const run = await runCli([
      'export',
      '--from',
      'callbell',
      '--config',
      config,
      '--links',
      links,
      '--out',
      out,
    ]);
    expect(run.status).toBe(0);
    const records = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(4);
    expect(records.map((record) => record.key).sort()).toEqual(
      ['k1', 'k2', 'k3', expect.stringMatching(/^callbell:/)].sort(),
    );
    expect(records.find((record) => record.key === 'k2').contact).toMatchObject({
      phone: '+33610000002',
      firstName: 'First2',
      customFields: { company: 'Company 2' },
    });

    const csvOut = files.path('callbell.csv');
    expect(
      (
        await runCli([
          'export',
          '--from',
          'callbell',
          '--config',
          config,
          '--format',
          'csv',
          '--out',
          csvOut,
        ])
      ).status,
    ).toBe(0);
    const csv = (await readFile(csvOut, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('key,phone,firstName,lastName,name,birthday,url,tags,assignedUser,company');
    expect(csv).toHaveLength(5);
  });

  it('migrate moves every contact, a rerun creates nothing, and --dry-run writes nothing', async () => {
    await sandbox.seed(
      'callbell',
      Array.from({ length: 30 }, (_, index) => ({
        phone: `+3361100${String(index).padStart(4, '0')}`,
        name: `P${index}`,
      })),
    );
    const links = files.path('migrate-links.jsonl');
    const dry = await runCli([
      'migrate',
      '--from',
      'callbell',
      '--to',
      'notificore',
      '--config',
      config,
      '--dry-run',
    ]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/notificore\s+30\s+0\s+0\s+0\s+0/);
    expect(sandbox.emulators.notificore.contacts()).toHaveLength(0);

    const callbellToNotificore = [
      'migrate',
      '--from',
      'callbell',
      '--to',
      'notificore',
      '--config',
      config,
      '--links',
      links,
    ];
    const first = await runCli(callbellToNotificore);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/notificore\s+30\s+0\s+0\s+0/);
    const again = await runCli(callbellToNotificore);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/notificore\s+0\s+\d+\s+\d+\s+0/);
    expect(sandbox.emulators.notificore.contacts()).toHaveLength(30);
  });

  it('refuses a migrate without --to, or to the same vendor, before anything is sent', async () => {
    expect((await runCli(['migrate', '--from', 'callbell', '--config', config])).status).toBe(2);
    const same = await runCli([
      'migrate',
      '--from',
      'callbell',
      '--to',
      'callbell',
      '--config',
      config,
    ]);
    expect(same.status).toBe(2);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('contact-sync push --diff', () => {
  it('prints the field changes per vendor, sends only reads, and writes the report as JSON', async () => {
    const links = files.path('diff-links.jsonl');
    const input = await files.write('diff.csv', [CSV_HEADER, ...csvRows(2)].join('\n'));
    expect((await runCli(['push', input, '--config', config, '--links', links])).status).toBe(0);
    const before = writes().length;
    const changed = await files.write(
      'diff-changed.csv',
      [CSV_HEADER, 'k1,0610000001,First1,Durand,Company 1', 'k9,0610000009,New,Person,X'].join(
        '\n',
      ),
    );
    const report = files.path('diff.ndjson');
    const run = await runCli([
      'push',
      changed,
      '--diff',
      '--config',
      config,
      '--links',
      links,
      '--report',
      report,
    ]);

    expect(run.status).toBe(0);
    expect(writes()).toHaveLength(before);
    expect(run.stdout).toContain('lastName: Last1 → Durand');
    expect(run.stdout).toMatch(/k9\n\s+smspartner: create/);
    expect(run.stdout).toMatch(/callbell\s+1\s+1\s+0\s+0\s+0/);
    const lines = (await readFile(report, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.find((line) => line.key === 'k1').results[0]).toMatchObject({
      provider: 'smspartner',
      action: 'update',
      changes: [{ field: 'lastName', kind: 'change', from: 'Last1', to: 'Durand' }],
    });
  });
});

describe('contact-sync sandbox --seed-file', () => {
  it('refuses --seed-file without --provider', async () => {
    const run = await runCli(['sandbox', '--seed-file', 'x.ndjson']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--seed-file and --provider go together');
  });
});
