import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { bundleForChild, spawnNode } from '../support/child-process.js';

/**
 * Every TypeScript example of README.md runs against the sandbox exactly as printed (issue 25):
 * each is bundled with `contact-sync` resolved to this repository's sources and run in its own
 * process, in an empty folder; only the environment differs from a user's (the sandbox's secrets
 * and base URLs, the variables the examples read). The consumer smoke test does the same with
 * the packed tarball.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = await readFile(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(
  (match) => match[1] as string,
);

let sandbox: Sandbox;
let folder: string;
const bundles = resolve('node_modules/.cache/contact-sync-test');

beforeAll(async () => {
  sandbox = await startSandbox();
  folder = await mkdtemp(join(tmpdir(), 'contact-sync-readme-'));
  await mkdir(bundles, { recursive: true });
});
afterAll(async () => {
  await sandbox?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Bundles one example with the package names aliased to the sources. */
async function bundle(code: string, index: number): Promise<string> {
  const source = join(bundles, `readme-${index}-${process.pid}.ts`);
  await writeFile(source, code);
  const outfile = await bundleForChild(pathToFileURL(source), `readme-${index}`, {
    packageFromSources: true,
  });
  await rm(source, { force: true });
  return outfile;
}

/** The environment the examples read: what a user exports to rehearse against the sandbox. */
function sandboxEnv(storeConfig: Record<string, unknown>): Record<string, string> {
  const configs = Object.fromEntries(
    sandbox
      .storeConfigs()
      .map((config) => [config.provider, config as unknown as Record<string, string>]),
  );
  return {
    PATH: process.env.PATH ?? '',
    CONTACT_STORE_CONFIG: JSON.stringify(storeConfig),
    SMSPARTNER_API_KEY: configs.smspartner?.apiKey ?? '',
    SMSPARTNER_GROUP_ID: configs.smspartner?.groupId ?? '',
    SMSPARTNER_BASE_URL: sandbox.baseUrl('smspartner'),
    CALLBELL_API_TOKEN: configs.callbell?.apiToken ?? '',
    CALLBELL_BASE_URL: sandbox.baseUrl('callbell'),
    NOTIFICORE_API_KEY: configs.notificore?.apiKey ?? '',
    NOTIFICORE_BASE_URL: sandbox.baseUrl('notificore'),
  };
}

/**
 * The store configs the first example's comment prints, as written, with the sandbox's secrets
 * in place of `…` (and its SMS Partner group) and its base URL added, as the comment says.
 */
function printedConfigs(code: string): Record<string, unknown>[] {
  const lines = [...code.matchAll(/^\/\/ (?:e\.g\.|\s*or)\s+(\{.*\})$/gm)].map(
    (match) => match[1] as string,
  );
  return lines.map((line) => {
    const config = JSON.parse(line) as Record<string, unknown>;
    const sandboxed = sandbox
      .storeConfigs()
      .find((candidate) => candidate.provider === config.provider) as unknown as Record<
      string,
      unknown
    >;
    for (const secret of ['apiKey', 'apiToken', 'groupId']) {
      if (secret in config) config[secret] = sandboxed[secret];
    }
    return { ...config, baseUrl: sandboxed.baseUrl };
  });
}

async function runExample(file: string, env: Record<string, string>, cwd: string) {
  const exit = await spawnNode(file, [], { cwd, env }).exit;
  const left = await readdir(cwd, { recursive: true });
  return { ...exit, left: left.map(String) };
}

describe('README examples run against the sandbox as printed', () => {
  it('has the examples it should', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(readme).toContain('redis-server');
  });

  it('the first (the vendor chosen by a JSON config) runs with each of the three configs it prints', async () => {
    const code = examples[0] as string;
    const configs = printedConfigs(code);
    expect(configs.map((config) => config.provider)).toEqual([
      'callbell',
      'smspartner',
      'notificore',
    ]);
    const file = await bundle(code, 1);
    for (const config of configs) {
      sandbox.reset();
      const cwd = await mkdtemp(join(folder, 'first-'));
      const run = await runExample(file, sandboxEnv(config), cwd);
      expect(run.code, `${config.provider}: ${run.output}`).toBe(0);
      expect(run.stdout).toMatch(/^created \S+ \+33612345678$/m);
    }
  });

  it('the second (two vendors, a links file) reaches both, and leaves no lock behind', async () => {
    sandbox.reset();
    const file = await bundle(examples[1] as string, 2);
    const cwd = await mkdtemp(join(folder, 'second-'));
    const env = sandboxEnv({});
    const first = await runExample(file, env, cwd);
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toMatch(/^smspartner created *$/m);
    expect(first.stdout).toMatch(/^callbell created *$/m);
    expect(first.left.filter((name) => name.endsWith('.lock'))).toEqual([]);
    // Run again: the links file opens (no lock held), and the contact is linked, not doubled.
    const second = await runExample(file, env, cwd);
    expect(second.code, second.output).toBe(0);
    expect(second.stdout).toMatch(/^smspartner unchanged *$/m);
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(1);
  });

  it('every other example runs as well', async () => {
    for (const [index, code] of examples.entries()) {
      if (index < 2) continue;
      sandbox.reset();
      const file = await bundle(code, index + 1);
      const cwd = await mkdtemp(join(folder, `example-${index + 1}-`));
      const run = await runExample(file, sandboxEnv({}), cwd);
      expect(run.code, `example ${index + 1}: ${run.output}`).toBe(0);
    }
  });
});
