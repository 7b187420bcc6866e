import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLinkStore } from '../../src/sync/index.js';
import { bundleForChild, spawnNode } from '../support/child-process.js';
import { startVendorServer, type VendorServer } from './support/http-vendor-server.js';

/** Enough records that the kill lands among the link writes, with most of the run still to do. */
const COUNT = 400;
const KILL_AT = 150;
const phoneOf = (index: number) => `+336${String(10_000_000 + index).slice(-8)}`;

let directory: string;
let childScript: string;
let vendors: VendorServer[];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-crash-'));
  childScript = await bundleForChild(
    new URL('./support/push-child.ts', import.meta.url),
    'push-child',
  );
  vendors = await Promise.all(['alpha', 'beta'].map(startVendorServer));
});

afterAll(async () => {
  await Promise.all((vendors ?? []).map((vendor) => vendor.close()));
  await rm(directory, { recursive: true, force: true });
});

function runChild(linksPath: string) {
  return spawnNode(childScript, [], {
    env: {
      ...process.env,
      VENDORS: JSON.stringify(vendors.map((vendor) => ({ name: vendor.name, url: vendor.url }))),
      COUNT: String(COUNT),
      LINKS_PATH: linksPath,
    },
  });
}

describe('fileLinkStore across a SIGKILL', () => {
  it('a run killed midway, then rerun, leaves every record once at every vendor and linked', async () => {
    const linksPath = join(directory, 'links', 'links.jsonl');
    const [first] = vendors as [VendorServer, ...VendorServer[]];

    const killed = runChild(linksPath);
    first.onCreate = (count) => {
      if (count >= KILL_AT) killed.child.kill('SIGKILL');
    };
    const firstRun = await killed.exit;
    first.onCreate = undefined;
    expect(firstRun.signal, firstRun.output).toBe('SIGKILL');
    expect(first.contacts.size).toBeLessThan(COUNT);

    // What the killed run wrote is linked, except at most the records in flight (concurrency 8).
    const afterKill = fileLinkStore(linksPath);
    const linkedAfterKill = new Map(vendors.map((vendor) => [vendor.name, 0]));
    for (let index = 0; index < COUNT; index++) {
      for (const provider of Object.keys((await afterKill.get(`crm-${index}`)) ?? {})) {
        linkedAfterKill.set(provider, (linkedAfterKill.get(provider) ?? 0) + 1);
      }
    }
    await afterKill.close?.();
    const lookupsBefore = new Map(vendors.map((vendor) => [vendor.name, vendor.lookups()]));
    for (const vendor of vendors) {
      const linked = linkedAfterKill.get(vendor.name) ?? 0;
      expect(linked).toBeGreaterThan(0);
      expect(vendor.contacts.size - linked).toBeLessThanOrEqual(8);
      expect(vendor.contacts.size - linked).toBeGreaterThanOrEqual(0);
    }

    const rerun = await runChild(linksPath).exit;
    expect(rerun.code, rerun.output).toBe(0);

    const expectedPhones = new Set(Array.from({ length: COUNT }, (_, index) => phoneOf(index)));
    const links = fileLinkStore(linksPath);
    try {
      for (const vendor of vendors) {
        const phones = [...vendor.contacts.values()].map((contact) => contact.phone);
        expect(phones).toHaveLength(COUNT);
        expect(new Set(phones)).toEqual(expectedPhones);
        // No create ever succeeded twice for one record.
        expect(vendor.creates()).toBe(COUNT);
        // The rerun updated linked records by id: it looked up only the unlinked ones.
        const rerunLookups = vendor.lookups() - (lookupsBefore.get(vendor.name) ?? 0);
        expect(rerunLookups).toBe(COUNT - (linkedAfterKill.get(vendor.name) ?? 0));
      }
      for (let index = 0; index < COUNT; index++) {
        const linked = await links.get(`crm-${index}`);
        for (const vendor of vendors) {
          const id = linked?.[vendor.name];
          expect(id && vendor.contacts.get(id)?.phone).toBe(phoneOf(index));
        }
      }
    } finally {
      await links.close?.();
    }
  });
});
