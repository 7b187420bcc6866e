import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultKind, type Sandbox, startSandbox } from '../../sandbox/index.js';
import {
  CSV_HEADER,
  csvRows,
  e164Phones,
  heldPhones,
  runCli,
  sandboxConfig,
  scratchFolder,
} from './cli-runner.js';

const EVERY_FAULT: FaultKind[] = ['500', '502', '503', '429', 'slow', 'drop-before', 'drop-after'];

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;

beforeAll(async () => {
  sandbox = await startSandbox({ latencyMs: 0 });
  files = await scratchFolder();
});
afterAll(async () => {
  await sandbox.close();
  await files.remove();
});
beforeEach(() => {
  sandbox.setFaults({}, 1);
  sandbox.reset();
});

const everyVendor = (phones: string[]) => ({
  smspartner: phones,
  callbell: phones,
  notificore: phones,
});

describe('contact-sync push against a faulty sandbox (in-process)', () => {
  it('syncs every valid row exactly once at every vendor despite every kind of fault', async () => {
    // A slow answer outlives the 3 s timeout: the write is stored but the client cannot know.
    // Client and sandbox share this process: on a loaded machine a stall of a few seconds can
    // time out every request in flight, so the timeout is well above such a stall and the retries
    // are spread over seconds (not 5 ms apart), so one stall cannot use up all nine attempts.
    sandbox.setFaults({ rate: 0.2, kinds: EVERY_FAULT, retryAfter: 0, slowMs: 3_500 }, 7);
    const config = await files.write(
      'faulty.json',
      sandboxConfig(
        sandbox,
        { retries: 8, minTimeout: 200, maxTimeout: 2_000 },
        { timeout: 3_000 },
      ),
    );
    const input = await files.write(
      'faulty.csv',
      [CSV_HEADER, ...csvRows(12), 'bad1,12345,Not,APhone,X'].join('\n'),
    );
    const report = files.path('faulty-report.ndjson');

    const run = await runCli(['push', input, '--config', config, '--report', report]);

    const faults = sandbox.requests.filter((request) => request.fault);
    // Seed 7 draws every kind in the first ~60 requests (draws follow the order of arrival).
    expect(new Set(faults.map((request) => request.fault))).toEqual(new Set(EVERY_FAULT));
    // Only the invalid phone fails, and it fails before any request, the same at every vendor.
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('13 records, 12 fully synced, 1 with failures');
    expect(run.stdout).toContain('all vendors: 1 × invalid_input: contact.phone');
    expect(heldPhones(sandbox)).toEqual(everyVendor(e164Phones(12)));
    const lines = (await readFile(report, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    // Every row is created at the vendors that look a phone up before creating. SMS Partner has
    // no lookup: a row whose create answer was lost (a slow or dropped answer, or a client timeout
    // on a loaded machine) and whose retry met "already in group" cannot be proven new, so it is
    // reported by comparison (docs/sync.md, "Counting a create whose answer was lost"):
    // unchanged, never failed, never updated, and never a second contact (heldPhones above).
    const synced = lines.filter((line) => line.status !== 'failed');
    expect(synced).toHaveLength(36);
    for (const line of synced) {
      if (line.provider !== 'smspartner') expect(line.status).toBe('created');
      else expect(['created', 'unchanged']).toContain(line.status);
    }
  });

  it('writes the rows that failed to --rejects, and that file pushes cleanly afterwards', async () => {
    // No retries: each injected fault fails its row, which --rejects keeps for a second push.
    sandbox.setFaults({ rate: 0.3, kinds: ['500', '503', 'drop-before'], retryAfter: 0 }, 3);
    const config = await files.write('no-retry.json', sandboxConfig(sandbox, false));
    const input = await files.write('rows.csv', [CSV_HEADER, ...csvRows(10)].join('\n'));
    const rejects = files.path('rejects.csv');

    const first = await runCli(['push', input, '--config', config, '--rejects', rejects]);

    expect(first.status).toBe(1);
    const rejected = (await readFile(rejects, 'utf8')).trimEnd().split('\n');
    expect(rejected[0]).toBe(CSV_HEADER);
    expect(rejected.length).toBeGreaterThan(1);
    expect(first.stdout).toContain(`${rejected.length - 1} with failures`);

    sandbox.setFaults({});
    const second = await runCli(['push', rejects, '--config', config]);

    expect(second.stdout).toContain(`${rejected.length - 1} fully synced, 0 with failures`);
    expect(second.status).toBe(0);
    expect(heldPhones(sandbox)).toEqual(everyVendor(e164Phones(10)));
  });

  it('keeps --rejects in JSON and NDJSON ready to push again', async () => {
    const config = await files.write('plain.json', sandboxConfig(sandbox, false));
    const json = await files.write(
      'rows.json',
      JSON.stringify([
        { key: 'a', phone: '0610000001' },
        { key: 'b', phone: '123' },
        { key: 'c', contact: { phone: 'nope', firstName: 'Ç' } },
      ]),
    );
    const ndjson = await files.write(
      'rows.ndjson',
      '{"key":"d","phone":"0610000004"}\n{"key":"e","phone":"x"}\n',
    );
    const jsonRejects = files.path('rejects.json');
    const ndjsonRejects = files.path('rejects.ndjson');

    const fromJson = await runCli(['push', json, '--config', config, '--rejects', jsonRejects]);
    const fromNdjson = await runCli([
      'push',
      ndjson,
      '--config',
      config,
      '--rejects',
      ndjsonRejects,
    ]);

    expect([fromJson.status, fromNdjson.status]).toEqual([1, 1]);
    expect(JSON.parse(await readFile(jsonRejects, 'utf8'))).toEqual([
      { key: 'b', phone: '123' },
      { key: 'c', contact: { phone: 'nope', firstName: 'Ç' } },
    ]);
    expect(await readFile(ndjsonRejects, 'utf8')).toBe('{"key":"e","phone":"x"}\n');
    const again = await runCli(['push', jsonRejects, '--config', config, '--dry-run']);
    expect(again.stdout.trimEnd().split('\n')).toHaveLength(2 * 3);
  });
});
