import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import { buildCli, runCliProcess, spawnNode } from '../support/child-process.js';
import { CSV_HEADER, csvRows, runCli, scratchFolder } from './cli-runner.js';

let files: Awaited<ReturnType<typeof scratchFolder>>;

beforeAll(async () => {
  files = await scratchFolder();
});
afterAll(async () => {
  await files.remove();
});

describe('the command as a process (signals, exit status)', () => {
  it('sandbox prints a config that a push run from its folder can use, and stops on SIGINT', async () => {
    const sandbox = spawnNode(await buildCli(), ['sandbox', '--fault-rate', '0'], {
      env: { PATH: process.env.PATH ?? '' },
    });
    try {
      // The config is one pretty-printed JSON object, closed by a "}" at the start of a line.
      const printed = await sandbox.printed(/\n}\n$/, 'the sandbox config');
      const config = JSON.parse(printed);
      expect(config.stores.map((store: { provider: string }) => store.provider)).toEqual([
        'smspartner',
        'callbell',
        'notificore',
      ]);
      expect(sandbox.output()).toMatch(/Sandbox listening on http:\/\/127\.0\.0\.1:\d+/);
      await files.write('contact-sync.config.json', printed);
      const input = await files.write('rows.csv', [CSV_HEADER, ...csvRows(3)].join('\n'));

      // Run from the folder: the default --config is ./contact-sync.config.json.
      const push = await runCliProcess(['push', input], { cwd: files.folder });

      expect(push.stderr).toBe('');
      expect(push.code).toBe(0);
      expect(push.stdout).toContain('notificore        3        0          0       0        0');
    } finally {
      sandbox.child.kill('SIGINT');
    }
    const stopped = await sandbox.exit;
    expect(stopped.code, stopped.output).toBe(0);
  });

  it('exits 2 for an unknown command and 0 for --help', async () => {
    const [unknown, help] = await Promise.all([runCliProcess(['pull']), runCliProcess(['--help'])]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("contact-sync: unknown command 'pull'");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('contact-sync push <file.csv|.json|.ndjson>');
  });
});

describe('contact-sync sandbox and demo (in-process)', () => {
  it('sandbox refuses a port in use with exit 2', async () => {
    const taken = await startSandbox();
    try {
      const run = await runCli(['sandbox', '--port', String(taken.port)]);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `contact-sync: the sandbox cannot listen on 127.0.0.1:${taken.port} (EADDRINUSE)\n`,
      );
    } finally {
      await taken.close();
    }
  });

  it('demo pushes the example file to the three vendors and shows the summary and the rejects', async () => {
    const run = await runCli(['demo']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Sandbox on http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(
      /Watch it at http:\/\/127\.0\.0\.1:\d+\/_sandbox\/ while the demo runs/,
    );
    expect(run.stdout).toContain('vendor      created  updated  unchanged  failed  skipped');
    expect(run.stdout).toMatch(/^smspartner +44 +0 +0 +6 +0$/m);
    expect(run.stdout).toMatch(/^callbell +44 +0 +0 +6 +0$/m);
    expect(run.stdout).toMatch(/^notificore +44 +0 +0 +6 +0$/m);
    expect(run.stdout).toContain('all vendors: 1 × invalid_input: key');
    expect(run.stdout).toContain('50 records, 44 fully synced, 6 with failures');
    expect(run.stdout).toContain('Rejected rows (6), ready to fix and push again:');
    expect(run.stdout).toContain('  key,phone,firstName,lastName,birthday,url,tags,company,city');
    expect(run.stdout).toContain('  crm-1006,not-a-number,');
    expect(run.stdout).toContain('Contacts now held by the sandbox: smspartner 44, callbell 44');
    expect(run.stderr).toBe('');
  });
});
