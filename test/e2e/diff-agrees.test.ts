import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { e164Phones, runCli, sandboxConfig, scratchFolder } from './cli-runner.js';

/**
 * `push --diff` predicts what `push` then does, at every vendor, reasons included (issue 25): both
 * run on the same input and links, and the prediction is compared with the outcome key by key.
 */

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;

beforeAll(async () => {
  sandbox = await startSandbox();
  files = await scratchFolder();
});
afterAll(async () => {
  await sandbox?.close();
  await files?.remove();
});

interface Line {
  key: string;
  provider: string;
  outcome: string;
  code?: string;
  message?: string;
}

const ACTION_TO_STATUS: Record<string, string> = {
  create: 'created',
  update: 'updated',
  unchanged: 'unchanged',
  conflict: 'failed',
  failed: 'failed',
};

describe('push --diff agrees with push', () => {
  it('per key and vendor: the status, the error code and its message', async () => {
    const config = await files.write('config.json', sandboxConfig(sandbox));
    const links = files.path('links.jsonl');
    const [p1, p2, p3, p4, p5, ...more] = e164Phones(20, 4100);
    const base = await files.write(
      'base.csv',
      `key,phone,firstName\na-1,${p1},Ann\na-2,${p2},Bea\na-3,${p3},Cy\n`,
    );
    expect((await runCli(['push', base, '--config', config, '--links', links])).status).toBe(0);
    const next = await files.write(
      'next.csv',
      [
        'key,phone,firstName',
        `a-1,${p1},Ann`, // unchanged
        `a-2,${p2},Bianca`, // renamed
        `a-3,${p4},Cy`, // a new phone: Callbell cannot change one
        `a-4,${p5},Dee`, // new
        'a-5,12,Eve', // not a phone number
        `a-6,${p1},Fay`, // a-1's phone: conflict
        ...more.map((phone, index) => `n-${index},${phone},New${index}`),
      ].join('\n'),
    );
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const diffReport = files.path('diff.ndjson');
    // The command line always has a signal (Ctrl-C): the warning came from its listeners.
    const diff = await runCli(
      [
        'push',
        next,
        '--diff',
        '--concurrency',
        '16',
        '--config',
        config,
        '--links',
        links,
        '--report',
        diffReport,
      ],
      { signal: new AbortController().signal },
    );
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
    expect(diff.status).toBe(1);
    expect(diff.stdout).toContain(
      "callbell: failed (unsupported): callbell cannot change a contact's phone number",
    );
    expect(diff.stdout).toContain('To reach the new number at callbell');
    expect(diff.stdout).toContain(
      'failed (invalid_input): contact.phone: not a valid phone number for its country',
    );

    const pushReport = files.path('push.ndjson');
    const push = await runCli([
      'push',
      next,
      '--config',
      config,
      '--links',
      links,
      '--report',
      pushReport,
    ]);
    expect(push.status).toBe(1);

    const predicted: Line[] = (await readFile(diffReport, 'utf8'))
      .trim()
      .split('\n')
      .flatMap((text) => {
        const report = JSON.parse(text);
        return report.results.map(
          (result: {
            provider: string;
            action: string;
            error?: { code: string; message: string };
          }) => ({
            key: report.key,
            provider: result.provider,
            outcome: ACTION_TO_STATUS[result.action],
            code: result.action === 'conflict' ? 'conflict' : result.error?.code,
            message: result.error?.message,
          }),
        );
      });
    const actual: Line[] = (await readFile(pushReport, 'utf8'))
      .trim()
      .split('\n')
      .map((text) => {
        const line = JSON.parse(text);
        return {
          key: line.key,
          provider: line.provider,
          outcome: line.status,
          code: line.error?.code,
          message: line.error?.message,
        };
      });
    const order = (lines: Line[]) =>
      [...lines].sort((a, b) => `${a.key} ${a.provider}`.localeCompare(`${b.key} ${b.provider}`));
    // A conflict's message differs in its verb (diff reads, push writes); its code and owner agree.
    const comparable = (lines: Line[]) =>
      order(lines).map((line) =>
        line.code === 'conflict' ? { ...line, message: undefined } : line,
      );
    expect(comparable(predicted)).toEqual(comparable(actual));
    expect(actual.filter((line) => line.outcome === 'failed').length).toBe(3 + 1 + 3);
  });
});
