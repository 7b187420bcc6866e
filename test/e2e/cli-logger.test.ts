import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { CSV_HEADER, csvRows, runCli, sandboxConfig, scratchFolder } from './cli-runner.js';

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;

beforeAll(async () => {
  sandbox = await startSandbox();
  files = await scratchFolder();
});
afterAll(async () => {
  await sandbox.close();
  await files.remove();
});

describe('CONTACT_SYNC_LOG', () => {
  it('writes JSON lines at the level asked and above, with no phone or secret', async () => {
    const config = await files.write('config.json', sandboxConfig(sandbox));
    const input = await files.write('rows.csv', [CSV_HEADER, ...csvRows(2)].join('\n'));
    const run = await runCli(['push', input, '--config', config], {
      env: { CONTACT_SYNC_LOG: 'debug' },
    });
    expect(run.status).toBe(0);
    const lines = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({
      level: 'debug',
      msg: 'contact-sync request',
      provider: expect.any(String),
    });
    expect(run.stderr).not.toContain('0610000001');
    expect(run.stderr).not.toContain('610000001');
    expect(run.stderr).not.toContain('sandbox-smspartner-key');

    const quiet = await runCli(['push', input, '--config', config], {
      env: { CONTACT_SYNC_LOG: 'warn' },
    });
    expect(quiet.stderr.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
  });
});
