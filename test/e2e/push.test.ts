import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import {
  CSV_HEADER,
  csvRows,
  e164Phones,
  heldPhones,
  placeholder,
  runCli,
  sandboxConfig,
  scratchFolder,
} from './cli-runner.js';

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;
let config: string;

beforeAll(async () => {
  sandbox = await startSandbox({ latencyMs: 0 });
  files = await scratchFolder();
  config = await files.write('config.json', sandboxConfig(sandbox));
});
afterAll(async () => {
  await sandbox.close();
  await files.remove();
});
beforeEach(() => sandbox.reset());

const everyVendor = (phones: string[]) => ({
  smspartner: phones,
  callbell: phones,
  notificore: phones,
});

describe('contact-sync push (in-process, sandbox)', () => {
  it('pushes a CSV file to every vendor and prints only the summary when stdout is not a terminal', async () => {
    const input = await files.write('clean.csv', [CSV_HEADER, ...csvRows(6)].join('\n'));

    const run = await runCli(['push', input, '--config', config]);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      [
        'vendor      created  updated  unchanged  failed  skipped',
        'smspartner        6        0          0       0        0',
        'callbell          6        0          0       0        0',
        'notificore        6        0          0       0        0',
        '',
        '6 records, 6 fully synced, 0 with failures',
        '',
      ].join('\n'),
    );
    expect(heldPhones(sandbox)).toEqual(everyVendor(e164Phones(6)));
    const callbell = sandbox.emulators.callbell.contacts()[0]?.record as Record<string, unknown>;
    expect(JSON.stringify(callbell)).toContain('Company ');
  });

  it('reads JSON arrays (flat or { key, contact }) and NDJSON', async () => {
    const json = await files.write(
      'rows.json',
      JSON.stringify([
        { key: 'j1', phone: '+33610000001', firstName: 'Ana', tags: 'lead;vip' },
        {
          key: 'j2',
          contact: { phone: '+33610000002', lastName: 'Bo', customFields: { company: 'Acme' } },
        },
      ]),
    );
    const ndjson = await files.write(
      'rows.ndjson',
      '{"key":"n3","phone":"0610000003"}\n\n{"key":"n4","contact":{"phone":"0610000004"}}\n',
    );

    const first = await runCli(['push', json, '--config', config]);
    const second = await runCli(['push', ndjson, '--config', config]);

    expect([first.status, second.status]).toEqual([0, 0]);
    expect(first.stdout).toContain('2 records, 2 fully synced, 0 with failures');
    expect(second.stdout).toContain('2 records, 2 fully synced, 0 with failures');
    expect(heldPhones(sandbox)).toEqual(everyVendor(e164Phones(4)));
  });

  it('reports unchanged on a second push with --links, and writes one --report line per record and vendor', async () => {
    const input = await files.write('links.csv', [CSV_HEADER, ...csvRows(4)].join('\n'));
    const links = files.path('links.json');
    const report = files.path('report.ndjson');

    const first = await runCli(['push', input, '--config', config, '--links', links]);
    const held = sandbox.emulators.notificore.contacts().map((contact) => contact.id);
    const writesBefore = sandbox.requests.filter((request) => request.method !== 'GET').length;
    const second = await runCli([
      'push',
      input,
      '--config',
      config,
      '--links',
      links,
      '--report',
      report,
    ]);

    expect([first.status, second.status]).toEqual([0, 0]);
    expect(second.stdout).toContain('smspartner        0        0          4       0        0');
    expect(second.stdout).toContain('callbell          0        0          4       0        0');
    expect(second.stdout).toContain('notificore        0        0          4       0        0');
    expect(sandbox.emulators.notificore.contacts().map((contact) => contact.id)).toEqual(held);
    const writes = sandbox.requests.filter((request) => request.method !== 'GET');
    // Notificore's login is the only non-GET request a rerun of unchanged rows sends.
    expect(writes.slice(writesBefore).every((request) => request.path.includes('auth'))).toBe(true);

    const lines = (await readFile(report, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4 * 3);
    expect(lines[0]).toMatchObject({ key: expect.any(String), position: expect.any(Number) });
    expect(new Set(lines.map((line) => `${line.key}/${line.provider}`)).size).toBe(12);
    for (const line of lines) {
      expect(line).toMatchObject({ status: 'unchanged', id: expect.any(String) });
      expect(['smspartner', 'callbell', 'notificore']).toContain(line.provider);
    }
  });

  it('writes only to the vendors --only names', async () => {
    const input = await files.write('only.csv', [CSV_HEADER, ...csvRows(3)].join('\n'));

    const run = await runCli(['push', input, '--config', config, '--only', 'callbell,notificore']);

    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('smspartner');
    expect(heldPhones(sandbox)).toEqual({
      smspartner: [],
      callbell: e164Phones(3),
      notificore: e164Phones(3),
    });
    expect(new Set(sandbox.requests.map((request) => request.provider))).toEqual(
      new Set(['callbell', 'notificore']),
    );
  });

  it('prints each vendor request on --dry-run and sends nothing', async () => {
    const input = await files.write('dry.csv', [CSV_HEADER, ...csvRows(2)].join('\n'));

    const run = await runCli(['push', input, '--config', config, '--dry-run']);

    expect(run.status).toBe(0);
    expect(sandbox.requests).toEqual([]);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => `${line.key} ${line.provider}`)).toEqual([
      'k1 smspartner',
      'k1 callbell',
      'k1 notificore',
      'k2 smspartner',
      'k2 callbell',
      'k2 notificore',
    ]);
    for (const line of lines) {
      expect(line.request).toMatchObject({ method: expect.any(String), url: expect.any(String) });
    }
    expect(run.stdout).not.toContain('sandbox-callbell-token');
    expect(run.stderr).toContain('Dry run: nothing was sent');
  });

  it('reads secrets from the environment when they are set', async () => {
    const input = await files.write('env.csv', 'key,phone\nk1,0610000001\n');
    const [smspartner] = sandboxConfig(sandbox).stores;
    const path = await files.write('env.json', {
      defaultCountry: 'FR',
      stores: [
        { ...smspartner, apiKey: placeholder('SMSPARTNER_API_KEY'), groupId: placeholder('GROUP') },
      ],
    });
    const run = await runCli(['push', input, '--config', path], {
      env: { SMSPARTNER_API_KEY: 'sandbox-smspartner-key', GROUP: 'sandbox-group' },
    });
    expect(run.status).toBe(0);
    expect(sandbox.emulators.smspartner.contacts()).toHaveLength(1);
  });
});
