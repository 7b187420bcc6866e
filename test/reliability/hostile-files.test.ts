import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputFileError, MAX_RECORD_LENGTH, readRecords } from '../../cli/input.js';
import { runCli } from '../../cli/main.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';

/**
 * Files a careless operator (or an attacker) hands to `contact-sync push`: each is refused before
 * anything is sent — exit status 2, one message naming the file and the place, no cell's value —
 * or read as the operator meant it.
 */

const PHONE = '+33698765432';
const PHONE_DIGITS = '698765432';

let sandbox: Sandbox;
let directory: string;
let config: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-files-'));
  config = join(directory, 'config.json');
  await writeFile(config, JSON.stringify({ defaultCountry: 'FR', stores: sandbox.storeConfigs() }));
});
afterAll(async () => {
  await sandbox?.close();
  await rm(directory, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

async function push(args: string[]) {
  const out = sink();
  const err = sink();
  const status = await runCli({
    argv: ['push', ...args, '--config', config],
    env: {},
    out: out.stream,
    err: err.stream,
  });
  return { status, stdout: out.text(), stderr: err.text() };
}

/** A refused push: exit 2, one message, no value of the file in it, no request at any vendor. */
async function refused(args: string[]): Promise<string> {
  sandbox.reset();
  const run = await push(args);
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr).toMatch(/^contact-sync: /);
  expect(run.stderr).not.toContain(PHONE_DIGITS);
  expect(sandbox.requests).toEqual([]);
  return run.stderr;
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, content);
  return path;
}

describe('output paths that would destroy another file', () => {
  it('--rejects or --report on the links file, the input or each other is a usage error, and the file is kept', async () => {
    const input = await file('paths.csv', `key,phone\nk1,${PHONE}\n`);
    const links = await file(
      'paths-links.jsonl',
      '{"op":"set","key":"k0","provider":"callbell","id":"7"}\n',
    );
    const other = join(directory, 'paths-out.ndjson');
    const cases: [string[], RegExp][] = [
      [['--links', links, '--rejects', links], /--rejects must not be --links/],
      [['--links', links, '--report', links], /--report must not be --links/],
      [['--rejects', input], /--rejects must not be the input file/],
      [['--report', input], /--report must not be the input file/],
      [['--links', input], /--links must not be the input file/],
      [['--report', other, '--rejects', other], /--rejects must not be --report/],
      [
        ['--links', links, '--report', join(directory, '.', 'paths-links.jsonl')],
        /--report must not be --links/,
      ],
    ];
    for (const [flags, message] of cases) {
      expect(await refused([input, ...flags])).toMatch(message);
    }
    expect(await readFile(links, 'utf8')).toBe(
      '{"op":"set","key":"k0","provider":"callbell","id":"7"}\n',
    );
    expect(await readFile(input, 'utf8')).toBe(`key,phone\nk1,${PHONE}\n`);
  });

  it('a 0600 links file is still 0600 after a push compacted it', async () => {
    const input = await file('mode.csv', `key,phone\nk1,${PHONE}\n`);
    const links = await file('mode-links.jsonl', '');
    await chmod(links, 0o600);
    expect((await push([input, '--links', links])).status).toBe(0);
    expect((await stat(links)).mode & 0o777).toBe(0o600);
    expect(await readFile(links, 'utf8')).toContain('"k1"');
  });
});

describe('CSV files in the wrong shape', () => {
  it('Latin-1 is refused naming the line and column, or read as such with --encoding latin1', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(`key,phone,firstName\nk0,${PHONE},Ann\nk1,+33698765433,Ren`),
      Buffer.from([0xe9]),
      Buffer.from('e\n'),
    ]);
    const path = await file('latin1.csv', latin1);
    expect(await refused([path])).toContain(
      `${path}: line 3, column 3 (firstName): not valid UTF-8 (save the file as UTF-8, or pass --encoding windows-1252 for an Excel export from Windows in Western Europe, or --encoding latin1 for ISO-8859-1)`,
    );
    const run = await push([path, '--encoding', 'latin1']);
    expect(run.status, run.stderr).toBe(0);
    const names = sandbox.emulators.callbell
      .contacts()
      .map((contact) => (contact.record as { name?: string }).name);
    expect(names).toContain('Renée');
    expect(names.join()).not.toContain('\uFFFD');
  });

  it('invalid UTF-8 split across read chunks, in the header, and in JSON and NDJSON files', async () => {
    const padding = 'x'.repeat(70_000);
    const late = await file(
      'late.csv',
      Buffer.concat([
        Buffer.from(`key,phone,note\nk0,${PHONE},${padding}\nk1,${PHONE},ok`),
        Buffer.from([0xc3, 0x28]),
      ]),
    );
    expect(await refused([late])).toContain(`${late}: line 3, column 3 (note): not valid UTF-8`);
    const header = await file(
      'header.csv',
      Buffer.concat([Buffer.from('key,phone,pr'), Buffer.from([0xe9]), Buffer.from('nom\n')]),
    );
    expect(await refused([header])).toContain(`${header}: line 1, column 3: not valid UTF-8`);
    const ndjson = await file(
      'latin1.ndjson',
      Buffer.concat([
        Buffer.from(`{"key":"a","phone":"${PHONE}"}\n{"key":"b","firstName":"Ren`),
        Buffer.from([0xe9]),
        Buffer.from('"}\n'),
      ]),
    );
    expect(await refused([ndjson])).toContain(`${ndjson}: line 2, column 28: not valid UTF-8`);
    const json = await file(
      'latin1.json',
      Buffer.concat([
        Buffer.from(`[\n{"key":"a","phone":"${PHONE}"},\n{"key":"b","firstName":"Ren`),
        Buffer.from([0xe9]),
        Buffer.from('"}]'),
      ]),
    );
    expect(await refused([json])).toContain(`${json}: line 3, column 28: not valid UTF-8`);
  });

  it('duplicate headers are refused naming the columns', async () => {
    const path = await file('dup.csv', `key,phone,firstName,phone\nk1,${PHONE},Ann,+33698765433\n`);
    expect(await refused([path])).toContain(
      `${path}: line 1: the header names column "phone" twice (columns 2 and 4); rename or remove one`,
    );
  });

  it('a ;-delimited file (French Excel) is read as such, and --delimiter chooses explicitly', async () => {
    const semicolons = await file(
      'excel.csv',
      `\uFEFFkey;phone;firstName;lastName\r\nk1;${PHONE};Anne-Marie;Martin;Dupont\r\n`,
    );
    // A ; inside an unquoted cell makes 5 fields: refused, naming the line.
    expect(await refused([semicolons])).toContain(
      `${semicolons}: line 2: has 5 fields, the header has 4`,
    );
    const quoted = await file(
      'excel-quoted.csv',
      `\uFEFFkey;phone;firstName;lastName\r\nk1;${PHONE};Anne-Marie;"Martin;Dupont"\r\n`,
    );
    const run = await push([quoted]);
    expect(run.status, run.stdout).toBe(0);
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(1);
    const tabs = await file('tabs.csv', `key\tphone\nk1\t${PHONE}\n`);
    expect((await push([tabs, '--delimiter', 'tab'])).status).toBe(0);
    expect(await refused([quoted, '--delimiter', ','])).toContain(
      'the CSV header has no key or phone column (read with "," as the separator, it has one column: if the file uses another, pass --delimiter)',
    );
    expect(await refused([quoted, '--delimiter', ';;'])).toContain(
      '--delimiter must be one character',
    );
  });

  it('parse errors name the place and never echo a cell', async () => {
    const cases: [string, string, string][] = [
      [
        'quote.csv',
        `key,phone\nk1,"${PHONE}"x\n`,
        'line 2, column 2 (phone): text follows a closing quote',
      ],
      ['open-quote.csv', `key,phone\nk1,"${PHONE}\n`, 'a quoted field is never closed'],
      ['ragged.csv', `key,phone\nk1,${PHONE},${PHONE}\n`, 'line 2: has 3 fields, the header has 2'],
      [
        'number.json',
        `[{"key":"a","phone":${PHONE}}]`,
        'line 1, column 21: record 1 is not valid JSON',
      ],
      [
        'comma.json',
        `[\n  {"key":"a",\n   "phone":"${PHONE}",}\n]`,
        'line 3, column 27: record 1 is not valid JSON',
      ],
      ['comma.ndjson', `{"key":"a","phone":"${PHONE}",}\n`, ':1: not a JSON object (column 35)'],
    ];
    for (const [name, content, message] of cases) {
      const path = await file(name, content);
      expect(await refused([path]), name).toContain(message);
    }
  });
});

describe('a record without end', () => {
  it('a line longer than the bound is refused at once, naming the file and line', async () => {
    const path = await file('long.csv', `key,phone\nk1,${'9'.repeat(MAX_RECORD_LENGTH + 10)}\n`);
    expect(await refused([path])).toContain(
      `${path}: line 2, column 2 (phone): a record is longer than ${MAX_RECORD_LENGTH} characters`,
    );
  });

  /**
   * Writes an endless record into a FIFO while the reader reads it: the reader must refuse it
   * after reading about the bound, not after the writer gives up. What the writer got through
   * before the reader closed the pipe measures how far the reader went.
   */
  async function endlessRecord(
    name: string,
    start: string,
  ): Promise<{ error: unknown; written: number }> {
    const path = join(directory, name);
    await promisify(execFile)('mkfifo', [path]);
    const writer = createWriteStream(path);
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, '7');
    const writing = (async () => {
      writer.write(start);
      // Stops when the reader closes its end (EPIPE) — bounded anyway at 64 MiB.
      while (!writer.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!writer.write(chunk)) {
          await new Promise<void>((resolve) => {
            // Each wait removes its three listeners, so the loop never piles them up.
            const done = () => {
              writer.off('drain', done);
              writer.off('error', done);
              writer.off('close', done);
              resolve();
            };
            writer.on('drain', done);
            writer.on('error', done);
            writer.on('close', done);
          });
        }
      }
    })();
    writer.on('error', () => undefined);
    let error: unknown;
    try {
      for await (const _ of readRecords(path)) {
        // records before the endless one are fine
      }
    } catch (failure) {
      error = failure;
    }
    writer.destroy();
    await writing;
    return { error, written };
  }

  for (const [name, start, message] of [
    [
      'endless.csv',
      `key,phone\nk1,${PHONE}\nk2,`,
      'line 3, column 2 (phone): a record is longer than',
    ],
    ['endless-header.csv', 'key,phone', 'line 1: a record is longer than'],
    [
      'endless.ndjson',
      `{"key":"a","phone":"${PHONE}"}\n{"key":"`,
      'line 2: a record is longer than',
    ],
    ['endless.json', `[{"key":"a","phone":"${PHONE}"}, {"key":"`, 'item 2 is longer than'],
  ] as const) {
    it(`${name}: refused after reading about the bound, memory bounded`, async () => {
      const { error, written } = await endlessRecord(name, start);
      expect(error).toBeInstanceOf(InputFileError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain('7777');
      // The bound plus what pipes and stream buffers hold: far below the 64 MiB offered.
      expect(written).toBeLessThan(MAX_RECORD_LENGTH + 8 * 1024 * 1024);
    });
  }
});
