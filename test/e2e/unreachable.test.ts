import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import {
  CSV_HEADER,
  csvRows,
  e164Phones,
  runCli,
  sandboxConfig,
  scratchFolder,
} from './cli-runner.js';

const ROWS = 240;

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;
let input: string;

beforeAll(async () => {
  sandbox = await startSandbox({ latencyMs: 0 });
  files = await scratchFolder();
  input = await files.write('rows.csv', [CSV_HEADER, ...csvRows(ROWS)].join('\n'));
});
afterAll(async () => {
  await sandbox.close();
  await files.remove();
});
beforeEach(() => sandbox.reset());

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** The sandbox's config with Callbell pointed at `port`, retries without delay. */
async function configWithCallbellAt(port: number): Promise<string> {
  const config = sandboxConfig(sandbox, { retries: 8, minTimeout: 0, maxTimeout: 5 });
  for (const store of config.stores) {
    if (store.provider === 'callbell')
      Object.assign(store, { baseUrl: `http://127.0.0.1:${port}` });
  }
  return files.write(`config-${port}.json`, config);
}

function unreachableLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.includes('unreachable'));
}

describe('contact-sync push with one vendor down (issue 22)', () => {
  it('a vendor on a closed port: the others get every row, one line says why', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));

    const run = await runCli(['push', input, '--config', await configWithCallbellAt(port)]);

    expect(run.status).toBe(1);
    for (const vendor of ['smspartner', 'notificore'] as const) {
      const phones = sandbox.emulators[vendor].contacts().map((contact) => contact.phone);
      expect(phones.sort()).toEqual(e164Phones(ROWS));
    }
    const lines = unreachableLines(run.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^callbell unreachable: \\d+ records not sent there \\(cannot reach callbell at 127\\.0\\.0\\.1:${port}: connection refused\\)`,
      ),
    );
    // The rows that failed before the breaker opened name the host and the cause too.
    expect(run.stdout).not.toMatch(/network \([^)]*\)$/m);
    expect(run.stdout).toContain(`${ROWS} records, 0 fully synced, ${ROWS} with failures`);
  });

  it('a vendor that drops every connection gets a bounded number of them, not one per try', async () => {
    let connections = 0;
    const dropping = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    const port = await listen(dropping);
    try {
      const run = await runCli(['push', input, '--config', await configWithCallbellAt(port)]);
      expect(run.status).toBe(1);
      expect(sandbox.emulators.smspartner.contacts()).toHaveLength(ROWS);
      expect(sandbox.emulators.notificore.contacts()).toHaveLength(ROWS);
      // Without the breaker: 240 rows × 9 tries. With it: 10 failures open it, the tries already
      // in flight (8 rows at a time) end, then one probe per 10 s cooldown for the rest of the
      // run (a few on a loaded machine).
      expect(connections).toBeGreaterThanOrEqual(10);
      expect(connections).toBeLessThan(70);
      const lines = unreachableLines(run.stdout);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^callbell unreachable: \d+ records not sent there \(cannot reach callbell at 127\.0\.0\.1:\d+: connection (reset|closed by the server)\)/,
      );
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });
});
