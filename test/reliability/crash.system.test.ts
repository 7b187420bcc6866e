import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { seededRandom } from '../../sandbox/random.js';
import { fileLinkStore } from '../../src/sync/index.js';
import { buildCli, type RunningChild, spawnNode } from '../support/child-process.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Enough records that a full run sends several hundred requests (about 2.5 per record and
 * vendor), so every kill point below (at most 2 × COUNT + 20 requests) lands midway: even a run
 * with every record already linked sends 3 × COUNT.
 */
const COUNT = 60;
const PROVIDERS = ['smspartner', 'callbell', 'notificore'] as const;
const phoneOf = (index: number) => `+336${String(20_000_000 + index).slice(-8)}`;

let directory: string;
let cliScript: string;
let sandbox: Sandbox;
let input: string;
let config: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-crash-cli-'));
  // The real command line as a process: the test kills it.
  cliScript = await buildCli();
  sandbox = await startSandbox();
  input = join(directory, 'contacts.csv');
  const rows = ['key,phone,firstName,company'];
  for (let index = 0; index < COUNT; index++) {
    rows.push(`crm-${index},${phoneOf(index)},Ada${index},Company ${index % 13}`);
  }
  await writeFile(input, `${rows.join('\n')}\n`);
  config = join(directory, 'contact-sync.config.json');
  await writeFile(config, JSON.stringify({ stores: sandbox.storeConfigs() }));
});

afterAll(async () => {
  await sandbox?.close();
  await rm(directory, { recursive: true, force: true });
});

function push(links: string) {
  return spawnNode(cliScript, [
    'push',
    input,
    '--config',
    config,
    '--links',
    links,
    '--concurrency',
    '8',
  ]);
}

/**
 * Kills the push once the sandbox (in this process) has received `requests` more requests,
 * checking every millisecond so the kill lands close to that point; stops checking if the push
 * ends first, which the caller then sees as an exit without SIGKILL.
 */
async function killAfter(push: RunningChild, requests: number): Promise<void> {
  const target = sandbox.requests.length + requests;
  await waitFor(
    () => sandbox.requests.length >= target || push.child.exitCode !== null,
    `${requests} requests from the push`,
    { intervalMs: 1 },
  );
  push.child.kill('SIGKILL');
}

/** Every input phone held exactly once by every vendor, and every key linked to its contact. */
async function expectEachContactOnceAndLinked(links: string): Promise<void> {
  const store = fileLinkStore(links);
  try {
    for (const provider of PROVIDERS) {
      const contacts = sandbox.emulators[provider].contacts();
      const phones = contacts.map((contact) => contact.phone).sort();
      expect(phones, provider).toEqual(Array.from({ length: COUNT }, (_, i) => phoneOf(i)).sort());
      const byId = new Map(contacts.map((contact) => [contact.id, contact.phone]));
      for (let index = 0; index < COUNT; index++) {
        const id = (await store.get(`crm-${index}`))?.[provider];
        expect(id && byId.get(id), `${provider} crm-${index}`).toBe(phoneOf(index));
      }
    }
  } finally {
    await store.close?.();
  }
}

describe('the CLI killed (SIGKILL) at random points of a bulk push', () => {
  it('five kills in a row, then a clean rerun: every contact exactly once at every vendor, all linked', async () => {
    sandbox.reset();
    const links = join(directory, 'kill', 'links.jsonl');
    const random = seededRandom(2024);
    const kills: number[] = [];
    let lastKilled = false;
    for (let run = 0; run < 5; run++) {
      // Somewhere in the first third of a full run's requests (about 2.5 per contact and vendor).
      const at = 20 + Math.floor(random() * COUNT * 2);
      const running = push(links);
      await killAfter(running, at);
      const result = await running.exit;
      kills.push(at);
      lastKilled = result.signal === 'SIGKILL';
      // The links remember what each killed run wrote (sync state), so a later run sends only
      // what is left: it may finish before its kill point. It must then have finished cleanly.
      if (!lastKilled) {
        expect(run, 'the first run, which has everything to do, is killed').toBeGreaterThan(0);
        expect(result.code, result.output).toBe(0);
        break;
      }
    }
    if (lastKilled) {
      // The kills left work undone: the rerun has something to finish.
      const held = PROVIDERS.map((provider) => sandbox.emulators[provider].contacts().length);
      expect(Math.min(...held)).toBeLessThan(COUNT);
    }
    const rerun = await push(links).exit;
    expect(rerun.code, rerun.output).toBe(0);
    await expectEachContactOnceAndLinked(links);
  });

  it('a run stopped through its signal (Ctrl-C), then rerun, also leaves each contact once and linked', async () => {
    sandbox.reset();
    const links = join(directory, 'abort', 'links.jsonl');
    const controller = new AbortController();
    // About a third of a full run's requests.
    const target = sandbox.requests.length + COUNT * 2.5;
    const sink = () => new PassThrough().resume();
    const argv = ['push', input, '--config', config, '--links', links];
    let finished = false;
    const running = runCli({
      argv,
      env: {},
      out: sink(),
      err: sink(),
      signal: controller.signal,
    }).finally(() => {
      finished = true;
    });
    await waitFor(() => sandbox.requests.length >= target || finished, 'a third of the requests', {
      intervalMs: 1,
    });
    // Stopped midway: a full run sends about 2.5 requests per record and vendor.
    expect(finished).toBe(false);
    controller.abort();
    expect(await running).toBe(1);
    // Whatever the stopped run wrote is linked: the links name only contacts the vendors hold.
    const store = fileLinkStore(links);
    for (const provider of PROVIDERS) {
      const byId = new Map(sandbox.emulators[provider].contacts().map((c) => [c.id, c.phone]));
      for (let index = 0; index < COUNT; index++) {
        const id = (await store.get(`crm-${index}`))?.[provider];
        if (id !== undefined) expect(byId.get(id)).toBe(phoneOf(index));
      }
    }
    await store.close?.();
    expect(await runCli({ argv, env: {}, out: sink(), err: sink() })).toBe(0);
    await expectEachContactOnceAndLinked(links);
  });
});
