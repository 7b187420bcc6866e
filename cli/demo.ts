import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContactStore } from '../providers/registry.js';
import { startSandbox } from '../sandbox/index.js';
import type { CliIo } from './main.js';
import { pushCommand } from './push.js';

/** Where the example file is, from cli/ (tests) or dist/ (the built command): one level up. */
function examplesFile(): string {
  return join(fileURLToPath(new URL('.', import.meta.url)), '..', 'examples', 'contacts.csv');
}

/**
 * `contact-sync demo`: starts the sandbox in this process and pushes examples/contacts.csv to all
 * three vendors, then shows the summary and the rejected rows.
 */
export async function demoCommand(io: CliIo, file = examplesFile()): Promise<number> {
  const sandbox = await startSandbox({ ui: true });
  const folder = await mkdtemp(join(tmpdir(), 'contact-sync-demo-'));
  const rejects = join(folder, 'rejects.csv');
  try {
    const configs = sandbox.storeConfigs().map((config) => ({ ...config, defaultCountry: 'FR' }));
    io.out.write(`Sandbox on ${sandbox.url}: SMS Partner, Callbell and Notificore emulated.\n`);
    io.out.write(
      `Watch it at ${sandbox.uiUrl} while the demo runs (contact-sync sandbox --ui keeps it up).\n`,
    );
    io.out.write(`Pushing ${file} to ${configs.map((config) => config.provider).join(', ')}…\n\n`);
    const status = await pushCommand({
      file,
      config: {
        config: { stores: configs, defaultCountry: 'FR' },
        stores: configs.map((config) => createContactStore(config)),
      },
      rejects,
      signal: io.signal,
      out: io.out,
      err: io.err,
    });
    const rejected = (await readFile(rejects, 'utf8')).trimEnd().split('\n');
    io.out.write(`\nRejected rows (${rejected.length - 1}), ready to fix and push again:\n`);
    for (const line of rejected) io.out.write(`  ${line}\n`);
    const held = Object.entries(sandbox.emulators)
      .map(([name, emulator]) => `${name} ${emulator.contacts().length}`)
      .join(', ');
    io.out.write(`\nContacts now held by the sandbox: ${held}.\n`);
    io.out.write(
      'The rejected rows are wrong on purpose (bad phone numbers, a bad date and URL, a missing key):\n' +
        'a real push exits 1 when rows fail; the demo exits 0 when it ran as intended.\n',
    );
    return status === 1 && rejected.length - 1 > 0 ? 0 : status;
  } finally {
    await rm(folder, { recursive: true, force: true });
    await sandbox.close();
  }
}
