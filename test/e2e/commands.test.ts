import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import { CLI_FILE, CSV_HEADER, csvRows, runCli, scratchFolder } from './cli-runner.js';

let files: Awaited<ReturnType<typeof scratchFolder>>;

beforeAll(async () => {
  files = await scratchFolder();
});
afterAll(async () => {
  await files.remove();
});

describe('contact-sync sandbox and demo (built command)', () => {
  it('prints a config that a push can use, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI_FILE, 'sandbox', '--fault-rate', '0'], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      // The config is one pretty-printed JSON object, closed by a "}" at the start of a line.
      const printed = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (/\n}\n$/.test(stdout)) resolve(stdout);
        });
        child.once('exit', () => reject(new Error(`sandbox exited early: ${stderr}`)));
      });
      const config = JSON.parse(printed);
      expect(config.stores.map((store: { provider: string }) => store.provider)).toEqual([
        'smspartner',
        'callbell',
        'notificore',
      ]);
      expect(stderr).toMatch(/Sandbox listening on http:\/\/127\.0\.0\.1:\d+/);
      await files.write('contact-sync.config.json', printed);
      const input = await files.write('rows.csv', [CSV_HEADER, ...csvRows(3)].join('\n'));

      // Run from the folder: the default --config is ./contact-sync.config.json.
      const push = await runCli(['push', input], { cwd: files.folder });

      expect(push.stderr).toBe('');
      expect(push.status).toBe(0);
      expect(push.stdout).toContain('notificore        3        0          0       0        0');
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });

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

  it('prints the usage with exit 2 for an unknown command, and 0 for --help', async () => {
    const unknown = await runCli(['pull']);
    const help = await runCli(['--help']);

    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("contact-sync: unknown command 'pull'");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('contact-sync push <file.csv|.json|.ndjson>');
  });
});
