import { mkdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { placeholder, runCli, sandboxConfig, scratchFolder } from './cli-runner.js';

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;
let config: string;
let input: string;

beforeAll(async () => {
  sandbox = await startSandbox({ latencyMs: 0 });
  files = await scratchFolder();
  config = await files.write('config.json', sandboxConfig(sandbox));
  input = await files.write('ok.csv', 'key,phone\nk1,0610000001\n');
});
afterAll(async () => {
  await sandbox.close();
  await files.remove();
});

/**
 * Runs a push that must be refused: exit 2, one clear message on stderr, nothing sent. The tests
 * run concurrently: none of them may send anything, so the request log stays empty throughout.
 */
async function refused(args: string[], env: Record<string, string> = {}) {
  const run = await runCli(['push', ...args], { env });
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^contact-sync: /);
  expect(run.stderr).not.toContain('    at '); // no stack trace
  expect(sandbox.requests).toEqual([]);
  return run.stderr;
}

describe.concurrent('contact-sync push refuses a bad config file (exit 2, nothing sent)', () => {
  it('malformed JSON', async () => {
    const path = await files.write('malformed.json', '{"stores": [');
    expect(await refused([input, '--config', path])).toContain(
      `config file ${path}: is not valid JSON`,
    );
  });

  it('an unknown provider', async () => {
    const path = await files.write('unknown.json', {
      stores: [{ provider: 'twilio', apiKey: placeholder('KEY') }],
    });
    expect(await refused([input, '--config', path], { KEY: 'k' })).toContain(
      `config file ${path}: stores[0].provider: expected one of 'smspartner', 'callbell', 'notificore'`,
    );
  });

  it('a missing option', async () => {
    const path = await files.write('missing.json', {
      stores: [{ provider: 'callbell', baseUrl: sandbox.baseUrl('callbell') }],
    });
    expect(await refused([input, '--config', path])).toContain(
      `config file ${path}: stores[0].apiToken: required`,
    );
  });

  it('an option of the wrong type, with what was expected', async () => {
    const stores = sandboxConfig(sandbox).stores;
    const path = await files.write('type.json', {
      stores: [stores[0], { ...stores[1], retry: { retries: 'many' } }],
    });
    const message = await refused([input, '--config', path]);
    expect(message).toContain(`config file ${path}: stores[1].retry`);
    expect(message).toMatch(/expected/);
  });

  it('an unknown top-level key', async () => {
    const path = await files.write('extra.json', { ...sandboxConfig(sandbox), store: [] });
    expect(await refused([input, '--config', path])).toContain(
      `config file ${path}: store: unknown key`,
    );
  });

  it('a top-level defaultCountry that is not a country, named at the top level', async () => {
    const path = await files.write('country.json', {
      ...sandboxConfig(sandbox),
      defaultCountry: 'XX',
    });
    expect(await refused([input, '--config', path])).toContain(
      `config file ${path}: defaultCountry: expected an ISO 3166 alpha-2 country code`,
    );
  });

  it('a __proto__ key inside a store (refused, not silently merged)', async () => {
    const path = await files.write(
      'proto.json',
      `{"stores":[{"provider":"callbell","apiToken":"t","retry":{"__proto__":{"retries":20}}}]}`,
    );
    expect(await refused([input, '--config', path])).toContain(
      `config file ${path}: stores[0].retry.__proto__: reserved name`,
    );
  });

  it('an unset environment variable, named without any value', async () => {
    const path = await files.write('unset.json', {
      stores: [{ provider: 'callbell', apiToken: placeholder('CALLBELL_API_TOKEN') }],
    });
    const message = await refused([input, '--config', path], { OTHER: 'secret-value' });
    expect(message).toContain(
      `config file ${path}: stores[0].apiToken: environment variable CALLBELL_API_TOKEN is not set`,
    );
  });

  it('a literal secret for a non-loopback URL, without echoing it', async () => {
    const path = await files.write('literal.json', {
      stores: [{ provider: 'smspartner', apiKey: 'live-key-123', groupId: 'g1' }],
    });
    const message = await refused([input, '--config', path]);
    expect(message).toContain(`config file ${path}: stores[0].apiKey: write it as "\${VARIABLE}"`);
    expect(message).not.toContain('live-key-123');
  });

  it('a config file that does not exist', async () => {
    const path = files.path('absent.json');
    expect(await refused([input, '--config', path])).toContain(
      `config file ${path}: cannot be read (ENOENT)`,
    );
  });
});

describe.concurrent('contact-sync push refuses a bad input file (exit 2, nothing sent)', () => {
  it('an unknown extension', async () => {
    const path = await files.write('rows.txt', 'key,phone\nk1,0610000001\n');
    expect(await refused([path, '--config', config])).toContain(
      `${path}: unknown input format '.txt' (expected .csv, .json or .ndjson)`,
    );
  });

  it('a CSV file without a key or phone column', async () => {
    const noPhone = await files.write('no-phone.csv', 'key,name\nk1,Ann\n');
    const noKey = await files.write('no-key.csv', 'phone,name\n0610000001,Ann\n');
    expect(await refused([noPhone, '--config', config])).toContain(
      `${noPhone}: the CSV header has no phone column`,
    );
    expect(await refused([noKey, '--config', config])).toContain(
      `${noKey}: the CSV header has no key column`,
    );
  });

  it('a CSV row with a wrong number of columns, after valid rows (nothing sent)', async () => {
    const path = await files.write('ragged.csv', 'key,phone\nk1,0610000001\nk2,0610000002,x\n');
    expect(await refused([path, '--config', config])).toMatch(/line 3/);
  });

  it('malformed JSON, even after valid records', async () => {
    const path = await files.write('broken.json', '[{"key":"a","phone":"0610000001"},{"key":');
    expect(await refused([path, '--config', config])).toContain(
      `${path}: not a JSON array of records`,
    );
  });

  it('a JSON file that is not an array', async () => {
    const path = await files.write('object.json', '{"key":"a","phone":"0610000001"}');
    expect(await refused([path, '--config', config])).toContain(
      `${path}: not a JSON array of records (expected a JSON array)`,
    );
  });

  it('a JSON array element that is not an object', async () => {
    const path = await files.write('numbers.json', '[{"key":"a","phone":"0610000001"}, 2]');
    expect(await refused([path, '--config', config])).toContain(
      `${path}: record 2 is not a JSON object`,
    );
  });

  it('an NDJSON line that is not JSON, naming the line', async () => {
    const path = await files.write('rows.ndjson', '{"key":"a","phone":"0610000001"}\n{oops}\n');
    expect(await refused([path, '--config', config])).toContain(`${path}:2: not a JSON object`);
  });

  it('an unreadable path: missing, or a folder', async () => {
    const missing = files.path('absent.csv');
    const folder = files.path('folder.ndjson');
    await mkdir(folder);
    expect(await refused([missing, '--config', config])).toContain(
      `${missing}: cannot be read (ENOENT)`,
    );
    expect(await refused([folder, '--config', config])).toContain(
      `${folder}: cannot be read (EISDIR)`,
    );
  });

  it('a file without records', async () => {
    const path = await files.write('empty.csv', 'key,phone\n');
    expect(await refused([path, '--config', config])).toContain(`${path}: no records`);
  });
});

describe.concurrent('contact-sync push refuses an output it cannot write (exit 2, nothing sent)', () => {
  it('--report or --rejects in a folder that does not exist', async () => {
    const report = files.path('no-folder/report.ndjson');
    const rejects = files.path('no-folder/rejects.csv');
    expect(await refused([input, '--config', config, '--report', report])).toContain(
      `--report ${report}: cannot be written (ENOENT)`,
    );
    expect(await refused([input, '--config', config, '--rejects', rejects])).toContain(
      `--rejects ${rejects}: cannot be written (ENOENT)`,
    );
  });

  it('--links on a folder', async () => {
    const folder = files.path('links-folder');
    await mkdir(folder);
    expect(await refused([input, '--config', config, '--links', folder])).toContain(
      `--links ${folder}: EISDIR`,
    );
  });

  it('--rejects naming the input file, which it would overwrite', async () => {
    expect(await refused([input, '--config', config, '--rejects', input])).toContain(
      '--rejects must not be the input file',
    );
    expect(await readFile(input, 'utf8')).toBe('key,phone\nk1,0610000001\n');
  });
});

describe.concurrent('contact-sync usage errors (exit 2, nothing sent)', () => {
  it('an --only vendor that is not in the config', async () => {
    expect(await refused([input, '--config', config, '--only', 'twilio'])).toContain(
      '--only names twilio, not in the config',
    );
  });

  it('a bad --concurrency, an unknown flag, no file', async () => {
    expect(await refused([input, '--config', config, '--concurrency', '0'])).toContain(
      '--concurrency must be a whole number',
    );
    expect(await refused([input, '--config', config, '--fast'])).toContain("'--fast'");
    expect(await refused(['--config', config])).toContain('push takes exactly one input file');
  });
});
