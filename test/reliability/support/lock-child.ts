import { open, unlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileLinkStore } from '../../../src/sync/index.js';

/**
 * One contender of the lock race: waits for "go" on stdin, opens the links file (trying again
 * while another process holds it), and while it holds the lock creates the marker file
 * exclusively — a second holder at the same time finds it there and says OVERLAP — then writes
 * its links and closes the store (which compacts the file).
 */
const [linksPath, holderPath, name, countText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const count = Number(countText);

process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));

for (let attempt = 1; ; attempt++) {
  const store = fileLinkStore(linksPath, { fsync: false });
  try {
    await store.get('probe');
  } catch (error) {
    if (!/in use/.test((error as Error).message) || attempt > 20_000) throw error;
    // Polling for the holder to finish: a short pause so that six waiting processes leave the two
    // cores to the one that works.
    await delay(2);
    continue;
  }
  let overlap = false;
  try {
    await (await open(holderPath, 'wx')).close();
  } catch {
    overlap = true;
    process.stdout.write(`OVERLAP ${name}\n`);
  }
  for (let index = 0; index < count; index++)
    await store.set(`${name}-${index}`, 'vendor', `${name}:${index}`);
  if (!overlap) await unlink(holderPath);
  await store.close?.();
  process.stdout.write(`done ${name}\n`);
  break;
}
process.stdin.destroy();
