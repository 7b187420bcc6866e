#!/usr/bin/env node
// Rehearses tonight's push of the CRM's French Excel export against the sandbox, with the
// vendors' accounts mirrored (account.json: the tags and custom fields they really have), so a
// row fails here exactly where it would fail for real. Nothing leaves this machine.
//
//   node rehearse.mjs [crm-export.csv]
//
// CONTACT_SYNC_BIN  the command line to run (default: `npx contact-sync`)
//
// Exit status is the push's: 0 every row synced, 1 some rows failed (they are in rejets.csv, in
// the export's own encoding, separator and line ends), 2 nothing was sent.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from 'contact-sync/sandbox';

const file = process.argv[2] ?? 'crm-export.csv';
const account = JSON.parse(readFileSync('account.json', 'utf8'));
const config = JSON.parse(readFileSync('contact-sync.config.json', 'utf8'));
const [command, ...prefix] = (process.env.CONTACT_SYNC_BIN ?? 'npx contact-sync').split(' ');

const sandbox = await startSandbox({ account });
const folder = mkdtempSync(join(tmpdir(), 'contact-sync-rehearsal-'));
try {
  // The same config, each store aimed at the sandbox with the sandbox's credentials.
  const local = Object.fromEntries(sandbox.storeConfigs().map((store) => [store.provider, store]));
  const rehearsal = {
    ...config,
    stores: config.stores.map((store) => {
      const { provider, fieldMap, ...sandboxed } = local[store.provider];
      return { ...store, ...sandboxed, provider, fieldMap: store.fieldMap ?? fieldMap };
    }),
  };
  const configFile = join(folder, 'config.json');
  writeFileSync(configFile, JSON.stringify(rehearsal));
  const args = [
    ...prefix,
    'push',
    file,
    '--config',
    configFile,
    '--encoding',
    'windows-1252',
    '--rejects',
    'rejets.csv',
    '--report',
    'rapport.ndjson',
  ];
  // Not spawnSync: the sandbox answers from this process, so its event loop must keep running.
  const push = spawn(command, args, { stdio: 'inherit' });
  const [status] = await once(push, 'close');
  const held = Object.entries(sandbox.emulators)
    .map(([name, emulator]) => `${name} ${emulator.contacts().length}`)
    .join(', ');
  console.log(`\nThe sandbox now holds: ${held}. Rejected rows: rejets.csv.`);
  process.exitCode = status ?? 1;
} finally {
  rmSync(folder, { recursive: true, force: true });
  await sandbox.close();
}
