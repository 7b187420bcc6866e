/**
 * Child process of the crash test: pushes COUNT records to the vendors named in VENDORS
 * (JSON `[{ name, url }]`) with links in a fileLinkStore at LINKS_PATH, then closes the links.
 * The parent kills it with SIGKILL midway, then runs it again.
 */
import { createContactSync, fileLinkStore, type SyncRecord } from '../../../src/sync/index.js';
import { createHttpContactStore } from './http-contact-store.js';

const vendors = JSON.parse(process.env.VENDORS ?? '[]') as { name: string; url: string }[];
const count = Number(process.env.COUNT);
const links = fileLinkStore(process.env.LINKS_PATH ?? '');
const sync = createContactSync({
  stores: vendors.map((vendor) => createHttpContactStore(vendor.name, vendor.url)),
  links,
});

function* records(): Generator<SyncRecord> {
  for (let index = 0; index < count; index++) {
    yield {
      key: `crm-${index}`,
      contact: {
        phone: `+336${String(10_000_000 + index).slice(-8)}`,
        firstName: `Person ${index}`,
      },
    };
  }
}

let failed = 0;
for await (const report of sync.pushMany(records(), { concurrency: 8 })) {
  if (report.results.some((result) => result.status === 'failed')) failed += 1;
}
await links.close?.();
process.stdout.write(`${JSON.stringify({ failed })}\n`);
process.exit(failed ? 1 : 0);
