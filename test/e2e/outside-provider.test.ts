import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAcmeEmulator } from '../../examples/acme-provider/src/emulator.js';
import { acmeProvider } from '../../examples/acme-provider/src/index.js';
import type { AnyStoreConfig } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { CSV_HEADER, csvRows, e164Phones, runCli, scratchFolder } from './cli-runner.js';

// examples/acme-provider is a vendor written outside the package: the config file names its
// module, the sandbox serves its emulator (startSandbox({ emulators })), and every command that
// reads the config uses it like a shipped vendor.
const ACME_MODULE = fileURLToPath(
  new URL('../../examples/acme-provider/src/index.ts', import.meta.url),
);
const acme = createAcmeEmulator({ apiKey: 'sandbox-acme-key' });
let sandbox: Sandbox<AnyStoreConfig>;
let files: Awaited<ReturnType<typeof scratchFolder>>;
let config: string;
let input: string;

const retry = { retries: 4, minTimeout: 0, maxTimeout: 5 };
const storesOf = (...names: string[]) =>
  sandbox
    .storeConfigs()
    .filter((store) => names.includes(store.provider))
    .map((store) => ({ ...store, retry }));

beforeAll(async () => {
  [sandbox, files] = await Promise.all([
    startSandbox({ emulators: [acme], providers: [acmeProvider] }),
    scratchFolder(),
  ]);
  // A path relative to the config file, as a user writes "./adapters/acme.js".
  const module = `./${relative(files.folder, ACME_MODULE)}`;
  config = await files.write('contact-sync.config.json', {
    defaultCountry: 'FR',
    providers: [module],
    stores: storesOf('acme', 'notificore'),
  });
  input = await files.write('rows.csv', [CSV_HEADER, ...csvRows(4)].join('\n'));
});
beforeEach(() => sandbox.reset());
afterAll(async () => {
  await sandbox?.close();
  await files?.remove();
});

describe('a config naming an outside vendor module', () => {
  it('push writes to it like a shipped vendor, and a rerun with links updates nothing twice', async () => {
    const links = files.path('push.links.jsonl');
    const first = await runCli(['push', input, '--config', config, '--links', links]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/acme\s+4\s+0/);
    expect(
      acme
        .contacts()
        .map((contact) => contact.phone)
        .sort(),
    ).toEqual(e164Phones(4));
    const again = await runCli(['push', input, '--config', config, '--links', links]);
    expect(again.status, again.stderr).toBe(0);
    expect(acme.contacts()).toHaveLength(4);
  });

  it('push --only acme, --dry-run and --diff accept its name', async () => {
    const links = files.path('diff.links.jsonl');
    const dry = await runCli(['push', input, '--config', config, '--only', 'acme', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('POST');
    expect(acme.contacts()).toEqual([]);
    await runCli(['push', input, '--config', config, '--only', 'acme', '--links', links]);
    const diff = await runCli(['push', input, '--config', config, '--diff', '--links', links]);
    expect(diff.status, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('acme');
  });

  it('export --from acme writes what it holds', async () => {
    await runCli(['push', input, '--config', config, '--only', 'acme']);
    const exported = await runCli(['export', '--config', config, '--from', 'acme']);
    expect(exported.status, exported.stderr).toBe(0);
    const phones = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).contact.phone)
      .sort();
    expect(phones).toEqual(e164Phones(4));
  });

  it('migrate moves its contacts to a shipped vendor and back', async () => {
    await runCli(['push', input, '--config', config, '--only', 'acme']);
    const links = files.path('migrate.links.jsonl');
    const out = await runCli([
      'migrate',
      '--config',
      config,
      '--from',
      'acme',
      '--to',
      'notificore',
      '--links',
      links,
    ]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('acme → notificore: 4 contacts read');
    expect(sandbox.emulators.notificore.contacts()).toHaveLength(4);
    acme.reset();
    const back = await runCli([
      'migrate',
      '--config',
      config,
      '--from',
      'notificore',
      '--to',
      'acme',
    ]);
    expect(back.status, back.stderr).toBe(0);
    expect(
      acme
        .contacts()
        .map((contact) => contact.phone)
        .sort(),
    ).toEqual(e164Phones(4));
  });

  it('optouts runs with it in the config', async () => {
    const out = await runCli(['optouts', '--config', config]);
    expect(out.status, out.stderr).toBe(0);
  });
});

describe('config "providers" errors (exit 2, nothing sent)', () => {
  const refused = async (name: string, content: object) => {
    const path = await files.write(name, content);
    const run = await runCli(['push', input, '--config', path]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Nothing was sent.');
    return { path, stderr: run.stderr };
  };

  it('a store naming an outside vendor without its module', async () => {
    const { path, stderr } = await refused('no-module.json', { stores: storesOf('acme') });
    expect(stderr).toContain(`config file ${path}: stores[0].provider: expected one of`);
    expect(stderr).toContain('given in providers');
  });

  it('a module that cannot be loaded', async () => {
    const { path, stderr } = await refused('missing.json', {
      providers: ['./adapters/nowhere.js'],
      stores: storesOf('acme'),
    });
    expect(stderr).toContain(
      `config file ${path}: providers[0]: module './adapters/nowhere.js' cannot be loaded`,
    );
    const bare = await refused('missing-package.json', {
      providers: ['contact-sync-nowhere'],
      stores: storesOf('acme'),
    });
    expect(bare.stderr).toContain("providers[0]: module 'contact-sync-nowhere' cannot be loaded");
  });

  it('a module that exports no definition, or a bad one', async () => {
    await files.write('empty.mjs', 'export const unrelated = 1;\n');
    const { path, stderr } = await refused('empty.json', {
      providers: ['./empty.mjs'],
      stores: storesOf('acme'),
    });
    expect(stderr).toContain(
      `config file ${path}: providers[0]: module './empty.mjs' exports no ProviderDefinition`,
    );
    await files.write('bad.mjs', 'export default { name: "bad", baseUrl: "https://bad.test" };\n');
    const bad = await refused('bad.json', { providers: ['./bad.mjs'], stores: storesOf('acme') });
    expect(bad.stderr).toContain("providers[0].create: module './bad.mjs': expected the factory");
  });

  it('a vendor named like a shipped one', async () => {
    await files.write(
      'impostor.mjs',
      'export const provider = { name: "callbell", baseUrl: "https://x.test", pageSize: 10, create() { return {}; } };\n',
    );
    const { path, stderr } = await refused('impostor.json', {
      providers: ['./impostor.mjs'],
      stores: storesOf('callbell'),
    });
    expect(stderr).toContain(
      `config file ${path}: providers[0].name: 'callbell' is a vendor this package ships`,
    );
  });

  it('providers that is not a list of modules', async () => {
    const { path, stderr } = await refused('not-a-list.json', {
      providers: 'contact-sync-acme',
      stores: storesOf('notificore'),
    });
    expect(stderr).toContain(`config file ${path}: providers: expected an array of module names`);
  });
});

describe('config "providers" as a package name', () => {
  it('resolves it from the config file folder (its node_modules)', async () => {
    const root = files.path('node_modules/contact-sync-tiny');
    await mkdir(root, { recursive: true });
    await files.write('node_modules/contact-sync-tiny/package.json', {
      name: 'contact-sync-tiny',
      type: 'module',
      exports: { '.': './index.js' },
    });
    // A definition whose store only lists: enough for `export`, written without any import.
    await files.write(
      'node_modules/contact-sync-tiny/index.js',
      `export default {
        name: 'tiny', baseUrl: 'https://tiny.test', pageSize: 10,
        create: () => ({
          provider: 'tiny',
          capabilities: {},
          async *list() { yield { id: 't1', provider: 'tiny', phone: '+33612345678', warnings: [] }; },
        }),
      };\n`,
    );
    const path = await files.write('tiny.json', {
      providers: ['contact-sync-tiny'],
      stores: [{ provider: 'tiny' }],
    });
    const run = await runCli(['export', '--config', path, '--from', 'tiny']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ contact: { phone: '+33612345678' } });
  });
});
