import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/index.js';
import { buildCli } from '../support/child-process.js';

/**
 * examples/nightly-export is a shell script and a config, no TypeScript: this runs the script
 * itself with bash, against the sandbox, with the command line bundled for plain Node.
 */
const example = fileURLToPath(new URL('../../examples/nightly-export/', import.meta.url));

let sandbox: Sandbox;
let dir: string;
let cli: string;

beforeAll(async () => {
  [sandbox, cli, dir] = await Promise.all([
    startSandbox(),
    buildCli(),
    mkdtemp(join(tmpdir(), 'contact-sync-nightly-')),
  ]);
  // The example's own config file, pointed at the sandbox: only each store's baseUrl is added;
  // the secrets still come from the environment through its ${NAME} placeholders.
  const config = JSON.parse(await readFile(join(example, 'contact-sync.config.json'), 'utf8'));
  for (const store of config.stores) {
    store.baseUrl = sandbox.baseUrl(store.provider);
  }
  await writeFile(join(dir, 'contact-sync.config.json'), JSON.stringify(config));
  await copyFile(join(example, 'crm-export.csv'), join(dir, 'crm-export.csv'));
});
afterAll(async () => {
  await sandbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runScript(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(example, 'push-nightly.sh'), 'crm-export.csv'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        CONTACT_SYNC_BIN: `${process.execPath} ${cli}`,
        SMSPARTNER_API_KEY: SANDBOX_CREDENTIALS.smspartner.apiKey,
        SMSPARTNER_GROUP_ID: SANDBOX_CREDENTIALS.smspartner.groupId,
        CALLBELL_API_TOKEN: SANDBOX_CREDENTIALS.callbell.apiToken,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const phonesAt = (vendor: 'smspartner' | 'callbell') =>
  sandbox.emulators[vendor]
    .contacts()
    .map((contact) => contact.phone)
    .sort();

describe('nightly CRM export with the CLI (examples/nightly-export)', () => {
  it('night 1 creates every row at both vendors; night 2 updates the changed row and rejects the bad one', async () => {
    const night1 = await runScript();
    expect(night1.code, night1.output).toBe(0);
    const phones = ['+33618609139', '+33624628194', '+33660181590'];
    expect(phonesAt('smspartner')).toEqual(phones);
    expect(phonesAt('callbell')).toEqual(phones);
    const links = await readFile(join(dir, '.contact-sync/links.jsonl'), 'utf8');
    expect(links).toContain('crm-1003');

    // The next night's export: one contact renamed, one row with a phone no vendor can take.
    await writeFile(
      join(dir, 'crm-export.csv'),
      `${(await readFile(join(example, 'crm-export.csv'), 'utf8')).replace('Camille', 'Camila')}crm-1004,12,Zoé,Vincent,Studio Nova,Bordeaux\n`,
    );
    const night2 = await runScript();
    expect(night2.code, night2.output).toBe(1);
    expect(phonesAt('callbell')).toEqual(phones);
    const renamed = sandbox.emulators.callbell
      .contacts()
      .find((contact) => contact.phone === '+33618609139');
    expect(JSON.stringify(renamed?.record)).toContain('Camila');
    const rejects = (await readdir(join(dir, '.contact-sync'))).filter((name) =>
      name.startsWith('rejects-'),
    );
    expect(rejects).toHaveLength(1);
    const rejected = await readFile(join(dir, '.contact-sync', rejects[0] as string), 'utf8');
    expect(rejected.trim().split('\n')).toEqual([
      'key,phone,firstName,lastName,company,city',
      'crm-1004,12,Zoé,Vincent,Studio Nova,Bordeaux',
    ]);
  });
});
