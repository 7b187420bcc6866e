import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { CONFIG_HINT, runCli, shellQuote } from '../../cli/main.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { waitFor } from '../support/wait-for.js';
import { e164Phones, heldPhones, sandboxConfig, scratchFolder } from './cli-runner.js';

/** The command in this process, with pipes for stdout and stderr (no terminal). */
async function run(
  argv: string[],
  options: {
    env?: Record<string, string>;
    signal?: AbortSignal;
    onErr?: (text: string) => void;
  } = {},
) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  err.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    options.onErr?.(stderr);
  });
  const status = await runCli({ argv, env: options.env ?? {}, out, err, signal: options.signal });
  return { status, stdout, stderr };
}

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

describe('contact-sync help and version', () => {
  it.each(['push', 'worker', 'failed', 'sandbox', 'demo'])(
    '%s --help prints that command’s options on stdout and exits 0, running nothing',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Usage: contact-sync ${command}`);
      expect(result.stdout).toContain('-h, --help');
      expect(result.stderr).toBe('');
      expect(result.stdout).not.toContain('Sandbox on'); // demo --help does not run the demo
    },
  );

  it('lists every command and the usage synopsis in the top-level help', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const result = await run(argv);
      expect(result.status).toBe(0);
      for (const command of ['push', 'worker', 'failed', 'sandbox', 'demo']) {
        expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      }
      expect(result.stdout).toContain('contact-sync push <file.csv|.json|.ndjson>');
    }
  });

  it('prints the version of package.json for --version and -v', async () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    for (const flag of ['--version', '-v']) {
      const result = await run([flag]);
      expect(result).toEqual({ status: 0, stdout: `${manifest.version}\n`, stderr: '' });
    }
  });
});

describe('contact-sync on a typo', () => {
  it('suggests the command meant, with exit status 2', async () => {
    const result = await run(['psuh', 'contacts.csv']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("contact-sync: unknown command 'psuh'");
    expect(result.stderr).toContain('Did you mean push?');
    expect(result.stdout).toBe('');
  });

  it('suggests the flag meant and points at the command’s help', async () => {
    const result = await run(['push', 'contacts.csv', '--dry-rn']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--dry-rn'");
    expect(result.stderr).toContain('Did you mean --dry-run?');
    expect(result.stderr).toContain("See 'contact-sync push --help'.");
  });
});

describe('contact-sync on a first run', () => {
  it('shows how to make the missing config file, with the placeholder form of a secret', async () => {
    const input = await files.write('first.csv', 'key,phone\nk1,0610000001\n');
    const missing = files.path('contact-sync.config.json');
    const result = await run(['push', input, '--config', missing]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`config file ${missing}: cannot be read (ENOENT)`);
    expect(result.stderr).toContain(CONFIG_HINT);
    expect(result.stderr).toContain(`"apiToken": "\${CALLBELL_API_TOKEN}"`);
    expect(result.stderr.trimEnd().endsWith('Nothing was sent.')).toBe(true);
  });

  it('shows a config that loads as it is, once its variable is set', async () => {
    const lines = CONFIG_HINT.split('\n');
    const json = lines.slice(lines.indexOf('  {'), lines.indexOf('  }') + 1).join('\n');
    const path = await files.write('hinted.json', json);
    const { stores } = await loadConfig(path, { CALLBELL_API_TOKEN: 'test-token' });
    expect(stores.map((store) => store.provider)).toEqual(['callbell']);
  });

  it('does not show the hint for a config file that exists but is wrong', async () => {
    const input = await files.write('wrong.csv', 'key,phone\nk1,0610000001\n');
    const config = await files.write('wrong.json', '{"stores": [');
    const result = await run(['push', input, '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr).not.toContain('Create it');
  });
});

describe('contact-sync push in a pipe, interrupted', () => {
  it('prints progress lines, then on interrupt the command that resumes without duplicates', async () => {
    const slow = await startSandbox({ latencyMs: 40 });
    try {
      const phones = e164Phones(60, 7000);
      const input = await files.write(
        'slow.csv',
        ['key,phone', ...phones.map((phone, index) => `s-${index},${phone}`)].join('\n'),
      );
      const config = await files.write('slow.config.json', sandboxConfig(slow));
      const links = files.path('slow links.jsonl');
      const argv = ['push', input, '--config', config, '--links', links, '--concurrency', '1'];
      const controller = new AbortController();
      const first = await run([...argv, '--progress-every', '0.05'], {
        signal: controller.signal,
        // Stop once a progress line shows some records done: the push is then under way.
        onErr: (text) => {
          if (/^pushing: [1-9]\d*\/60 records \(\d+%\)/m.test(text)) controller.abort();
        },
      });
      expect(first.status).toBe(1);
      expect(first.stderr).toMatch(/^pushing: \d+\/60 records \(\d+%\)/m);
      expect(first.stderr).toContain('To resume, run the same command');
      const resume = [...argv, '--progress-every', '0.05'].map(shellQuote).join(' ');
      expect(first.stderr).toContain(`  contact-sync ${resume}\n`);
      expect(first.stderr).toContain(`'${links}'`); // the space is quoted for the shell

      const second = await run([...argv, '--no-progress']);
      expect(second.status).toBe(0);
      expect(second.stderr).toBe('');
      expect(second.stdout).toContain('60 records, 60 fully synced, 0 with failures');
      expect(second.stdout).toMatch(/^callbell +\d+ +0 +[1-9]\d* +0 +0$/m); // some unchanged
      for (const held of Object.values(heldPhones(slow))) expect(held).toEqual([...phones].sort());
    } finally {
      await slow.close();
    }
  });

  it('with --report and --rejects, the resume command names new files, so the first part is kept', async () => {
    const slow = await startSandbox({ latencyMs: 40 });
    try {
      const phones = e164Phones(30, 8000);
      const rows = phones.map((phone, index) => `r-${index},${phone}`);
      const input = await files.write('resume.csv', ['key,phone', ...rows, 'r-bad,12'].join('\n'));
      const config = await files.write('resume.config.json', sandboxConfig(slow));
      const report = files.path('resume-report.ndjson');
      const rejects = files.path('resume-rejects.csv');
      const argv = [
        'push',
        input,
        '--config',
        config,
        '--links',
        files.path('resume.jsonl'),
        '--concurrency',
        '1',
        '--report',
        report,
        `--rejects=${rejects}`,
        '--no-progress',
      ];
      const controller = new AbortController();
      const reported = async () =>
        (await readFile(report, 'utf8').catch(() => '')).split('\n').length > 3;
      const first = run(argv, { signal: controller.signal });
      await waitFor(reported, 'the first report lines');
      controller.abort();
      const stopped = await first;
      expect(stopped.status).toBe(1);
      const partTwo = files.path('resume-report.part2.ndjson');
      const rejectsTwo = files.path('resume-rejects.part2.csv');
      expect(stopped.stderr).toContain(
        `It writes to --report ${partTwo} and --rejects ${rejectsTwo}, so the first part's --report and --rejects are kept.`,
      );
      const command = /^ {2}contact-sync (.*)$/m.exec(stopped.stderr)?.[1] ?? '';
      expect(command).toContain(`--report ${partTwo}`);
      expect(command).toContain(`--rejects=${rejectsTwo}`);
      const firstPart = await readFile(report, 'utf8');

      const resumed = await run(command.split(' '));
      expect(resumed.status).toBe(1); // r-bad
      expect(await readFile(report, 'utf8')).toBe(firstPart);
      const keysIn = (text: string) =>
        new Set(
          text
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line).key),
        );
      const all = new Set([...keysIn(firstPart), ...keysIn(await readFile(partTwo, 'utf8'))]);
      expect(all.size).toBe(31);
      expect(await readFile(rejectsTwo, 'utf8')).toBe('key,phone\nr-bad,12\n');
    } finally {
      await slow.close();
    }
  });

  it('says how to be able to resume when the links were only in memory', async () => {
    const input = await files.write('memory.csv', 'key,phone\nm1,0610000009\n');
    const config = await files.write('memory.config.json', sandboxConfig(sandbox));
    const controller = new AbortController();
    controller.abort();
    const result = await run(['push', input, '--config', config], { signal: controller.signal });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Next time add --links PATH');
  });
});

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest for a POSIX shell', () => {
    expect(shellQuote('contacts.csv')).toBe('contacts.csv');
    expect(shellQuote('--links=a/b.jsonl')).toBe('--links=a/b.jsonl');
    expect(shellQuote('my file.csv')).toBe("'my file.csv'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
    expect(shellQuote('')).toBe("''");
  });
});
