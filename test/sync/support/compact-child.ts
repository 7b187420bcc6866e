// Compacts a links file over and over while it updates links, printing each batch it was told is
// durable: the parent SIGKILLs it mid-compaction and checks that nothing acknowledged was lost.
import { fileLinkStore } from '../../../src/sync/index.js';

const path = process.env.LINKS_PATH as string;
const keys = Number(process.env.KEYS);
const links = fileLinkStore(path, { fsync: true });
await links.get('warm-up');
let stop = false;
const compacting = (async () => {
  let round = 0;
  while (!stop) {
    process.stdout.write(`compacting ${++round}\n`);
    await links.compact();
  }
})();
for (let start = 0; start < keys; start += 100) {
  const batch = [];
  for (let index = start; index < Math.min(keys, start + 100); index++) {
    batch.push(
      links.setState(`crm-${index}`, 'smspartner', {
        id: `v2-${index}`,
        fingerprint: `f-${index}`,
      }),
    );
  }
  await Promise.all(batch);
  process.stdout.write(`acked ${Math.min(keys, start + 100)}\n`);
}
stop = true;
await compacting;
await links.close();
process.stdout.write('done\n');
