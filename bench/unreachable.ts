/**
 * Issue 22's closed-port case: `npm run bench:unreachable -- 5000` pushes that many CSV rows with
 * the command line (in this process, the sandbox in a child process) twice in one run: to SMS
 * Partner and Notificore alone, then to those two plus a Callbell store pointed at a closed port.
 * Prints both times, their difference (the goal: at most 10 s) and the summary's unreachable
 * line (docs/performance.md, "A vendor that is down").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../cli/main.js';
import { serveIfSandboxChild, startRemoteSandbox } from './sandbox-process.js';

if (!(await serveIfSandboxChild())) await main();

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 5000);
  if (!Number.isInteger(rows) || rows < 1) {
    console.error('usage: npm run bench:unreachable -- <rows>');
    process.exit(2);
  }
  const sandbox = await startRemoteSandbox(0);
  const folder = await mkdtemp(join(tmpdir(), 'contact-sync-unreachable-'));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as { port: number };
  await new Promise((resolve) => closed.close(resolve));
  try {
    const csv = ['key,phone,firstName'];
    for (let i = 0; i < rows; i += 1) {
      csv.push(`k${i},06${String(10_000_000 + i).slice(-8)},First${i}`);
    }
    const input = join(folder, 'rows.csv');
    await writeFile(input, csv.join('\n'));
    const stores = sandbox.configs;
    const alone = stores.filter((store) => store.provider !== 'callbell');
    const down = [
      ...alone,
      {
        ...stores.find((store) => store.provider === 'callbell'),
        baseUrl: `http://127.0.0.1:${port}`,
      },
    ];
    const run = async (name: string, config: unknown) => {
      const path = join(folder, `${name}.json`);
      await writeFile(path, JSON.stringify({ defaultCountry: 'FR', ...(config as object) }));
      await sandbox.reset();
      const out = sink();
      const err = sink();
      const started = performance.now();
      const status = await runCli({
        argv: ['push', input, '--config', path, '--no-progress'],
        env: {},
        out: out.stream,
        err: err.stream,
      });
      const seconds = (performance.now() - started) / 1000;
      const line = out
        .text()
        .split('\n')
        .find((text) => text.includes('unreachable'));
      return { status, seconds, line };
    };
    const first = await run('alone', { stores: alone });
    const withDown = await run('down', { stores: down });
    console.log(
      JSON.stringify(
        {
          rows,
          aloneSeconds: Number(first.seconds.toFixed(2)),
          withClosedPortSeconds: Number(withDown.seconds.toFixed(2)),
          extraSeconds: Number((withDown.seconds - first.seconds).toFixed(2)),
          goalMet: withDown.seconds - first.seconds <= 10,
          line: withDown.line,
        },
        null,
        1,
      ),
    );
  } finally {
    await sandbox.close();
    await rm(folder, { recursive: true, force: true });
  }
}
