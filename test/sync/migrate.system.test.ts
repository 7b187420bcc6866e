import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { type Sandbox, type SandboxProvider, startSandbox } from '../../sandbox/index.js';
import type { ContactInput } from '../../src/contact.js';
import type { ContactStore } from '../../src/contact-store.js';
import { fileLinkStore } from '../../src/sync/index.js';
import { migrate } from '../../src/sync/migrate.js';

/**
 * Contacts per migration: 200 in `npm test`, several pages at every vendor (20 a page at SMS
 * Partner and Callbell), with the cut at a third still in the middle of a page. Six pairs of
 * three runs each must fit a loaded 2-core machine (1,000 took 200 s there). The published 5,000
 * run is `CONTACT_SYNC_MIGRATE_SIZE=5000 npx vitest run --project system test/sync/migrate.system.test.ts`.
 */
const SIZE = Number(process.env.CONTACT_SYNC_MIGRATE_SIZE ?? 200);
const PAIRS: [SandboxProvider, SandboxProvider][] = [
  ['smspartner', 'callbell'],
  ['smspartner', 'notificore'],
  ['callbell', 'smspartner'],
  ['callbell', 'notificore'],
  ['notificore', 'smspartner'],
  ['notificore', 'callbell'],
];

function people(count: number): ContactInput[] {
  return Array.from({ length: count }, (_, index) => ({
    // Distinct valid French mobile numbers.
    phone: `+336${String(10_000_000 + index).padStart(8, '0')}`,
    firstName: `First${index}`,
    lastName: `Last${index}`,
    customFields: { company: `Company ${index % 97}` },
  }));
}

let sandbox: Sandbox;
let folder: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  folder = await mkdtemp(join(tmpdir(), 'contact-sync-migrate-'));
});
afterAll(async () => {
  await sandbox.close();
  await rm(folder, { recursive: true, force: true });
});

function store(provider: SandboxProvider): ContactStore {
  const config = sandbox.storeConfigs().find((candidate) => candidate.provider === provider);
  return createContactStore({
    ...config,
    defaultCountry: 'FR',
    retry: { minTimeout: 0, maxTimeout: 10 },
  } as never);
}

describe.each(PAIRS)('migrate %s → %s', (fromName, toName) => {
  it(`moves ${SIZE} contacts, survives an interruption, and a rerun creates nothing`, async () => {
    sandbox.reset();
    const seeded = await sandbox.seed(fromName, people(SIZE));
    expect(seeded).toMatchObject({ created: SIZE, refused: [] });
    const linksPath = join(folder, `${fromName}-${toName}.jsonl`);

    // First run, cut off once a share of the records is done.
    const controller = new AbortController();
    const links = await fileLinkStore(linksPath);
    const failures: string[] = [];
    const first = await migrate({
      from: store(fromName),
      to: store(toName),
      links,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.done >= SIZE / 3) controller.abort();
      },
      onReport: (report) => {
        for (const result of report.results) if (result.error) failures.push(result.error.code);
      },
    });
    await links.close?.();
    expect(first.interrupted).toBe(true);
    // Only the records in flight when the run was cut off fail, and only as aborted.
    expect(first.results.failed).toBe(failures.length);
    expect(new Set(failures)).toEqual(new Set(failures.length ? ['aborted'] : []));
    expect(first.results.created).toBeGreaterThan(0);
    expect(first.results.created).toBeLessThan(SIZE);

    // Resumed with the same links file: everything arrives, each contact once.
    const resumedLinks = await fileLinkStore(linksPath);
    const second = await migrate({ from: store(fromName), to: store(toName), links: resumedLinks });
    expect(second).toMatchObject({ interrupted: false, read: SIZE });
    expect(second.results.failed).toBe(0);
    // A create cut off after the vendor stored it is adopted, not made twice.
    expect(first.results.created + second.results.created).toBeLessThanOrEqual(SIZE);

    // A rerun writes nothing new.
    const third = await migrate({ from: store(fromName), to: store(toName), links: resumedLinks });
    await resumedLinks.close?.();
    expect(third.results.created).toBe(0);
    expect(third.results.failed).toBe(0);
    expect(third.results.unchanged + third.results.updated).toBe(SIZE);

    const held = sandbox.emulators[toName].contacts();
    expect(held).toHaveLength(SIZE);
    expect(new Set(held.map((contact) => contact.phone)).size).toBe(SIZE);
    // Fields the destination cannot hold are reported once per field, not once per contact.
    const fields = first.warnings.map((warning) => `${warning.field}:${warning.reason}`);
    expect(new Set(fields).size).toBe(fields.length);
  });
});
