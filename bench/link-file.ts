import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileLinkStore } from '../src/sync/index.js';

/**
 * `npm run bench:links -- --keys 1000000 [--kill]`: the file link store at scale. Writes a links
 * file of `keys` keys × 3 vendors with fingerprints and `verifiedAt` (streamed, without the store),
 * then, in a fresh process each: opens it (time, RSS once open, peak RSS), compacts it (time, peak
 * RSS during it), and with `--kill` SIGKILLs a compaction as its temporary file fills and checks
 * on reopen that every link is there.
 */
const PROVIDERS = ['smspartner', 'callbell', 'notificore'];
const FINGERPRINT = (index: number) =>
  Buffer.from(`${index}`.padEnd(32, '#')).toString('base64url').slice(0, 43);
const idOf = (provider: string, index: number) =>
  provider === 'smspartner'
    ? String(10_000_000 + index)
    : provider === 'callbell'
      ? `6f1c2d3e-${String(index).padStart(4, '0').slice(-4)}-4a5b-8c9d-${String(index).padStart(12, '0')}`
      : `nc${String(index).padStart(22, '0')}`;

const mode = process.env.LINK_FILE_CHILD;
if (mode) await child(mode);
else await main();

function peakKiB(): number {
  // VmHWM: the peak resident set of this process.
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function child(what: string): Promise<void> {
  const path = process.env.LINKS_PATH as string;
  const warnings: string[] = [];
  const started = performance.now();
  const links = fileLinkStore(path, {
    fsync: true,
    onWarning: (message) => warnings.push(message),
  });
  await links.get('crm-0');
  const openMs = performance.now() - started;
  globalThis.gc?.();
  const steady = process.memoryUsage();
  const peakOpen = peakKiB();
  let compactMs = 0;
  let peakCompact = 0;
  if (what === 'compact' || what === 'kill') {
    if (what === 'kill') process.stdout.write('compacting\n');
    const begin = performance.now();
    await links.compact();
    compactMs = performance.now() - begin;
    peakCompact = peakKiB();
  }
  if (what === 'verify') {
    let missing = 0;
    for (let index = 0; index < Number(process.env.KEYS); index++) {
      const state = await links.getState(`crm-${index}`);
      for (const provider of PROVIDERS) {
        if (state?.[provider]?.id !== idOf(provider, index)) missing++;
      }
    }
    process.stdout.write(`${JSON.stringify({ missing })}\n`);
  }
  await links.close();
  process.stdout.write(
    `${JSON.stringify({ openMs, rss: steady.rss, heapUsed: steady.heapUsed, external: steady.external + steady.arrayBuffers, peakOpenKiB: peakOpen, compactMs, peakCompactKiB: peakCompact, warnings })}\n`,
  );
}

function runChild(
  what: string,
  path: string,
  keys: number,
  onLine?: (line: string, kill: () => void) => void,
) {
  return new Promise<{ out: string; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', process.argv[1] as string], {
      env: { ...process.env, LINK_FILE_CHILD: what, LINKS_PATH: path, KEYS: String(keys) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (data: Buffer) => {
      out += data;
      onLine?.(data.toString(), () => proc.kill('SIGKILL'));
    });
    proc.on('error', reject);
    proc.on('close', (_code, signal) => resolve({ out, signal }));
  });
}

async function writeFile(path: string, keys: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (let index = 0; index < keys; index++) {
    for (const provider of PROVIDERS) {
      chunk += `${JSON.stringify({ op: 'set', key: `crm-${index}`, provider, id: idOf(provider, index), fingerprint: FINGERPRINT(index), verifiedAt: '2026-12-01T10:00:00.000Z' })}\n`;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve) => out.on('finish', () => resolve()));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      keys: { type: 'string', default: '1000000' },
      kill: { type: 'boolean', default: false },
    },
  });
  const keys = Number(values.keys);
  const directory = await mkdtemp(join(tmpdir(), 'contact-sync-link-file-'));
  const path = join(directory, 'links.jsonl');
  try {
    const log = (text: string) => process.stderr.write(`${new Date().toISOString()} ${text}\n`);
    log(`writing ${keys} keys × 3`);
    await writeFile(path, keys);
    const size = (await stat(path)).size;
    log(`file ${(size / 1e6).toFixed(0)} MB; opening`);
    const opened = JSON.parse(
      (await runChild('open', path, keys)).out.trim().split('\n').at(-1) as string,
    );
    log('compacting');
    const compacted = JSON.parse(
      (await runChild('compact', path, keys)).out.trim().split('\n').at(-1) as string,
    );
    const MB = (bytes: number) => (bytes / 1e6).toFixed(0);
    const rows = [
      ['keys × vendors', `${keys.toLocaleString('en')} × 3`],
      ['file', `${MB(size)} MB`],
      ['open', `${(opened.openMs / 1000).toFixed(2)} s`],
      [
        'RSS once open (after GC)',
        `${MB(opened.rss)} MB (heap ${MB(opened.heapUsed)} MB, typed arrays ${MB(opened.external)} MB)`,
      ],
      ['bytes per key (RSS − 45 MB bare process) ', `${((opened.rss - 45e6) / keys).toFixed(0)}`],
      ['peak RSS while opening', `${MB(opened.peakOpenKiB * 1024)} MB`],
      ['compact', `${(compacted.compactMs / 1000).toFixed(2)} s`],
      [
        'peak RSS while compacting / steady RSS',
        `${MB(compacted.peakCompactKiB * 1024)} MB / ${MB(compacted.rss)} MB = ${((compacted.peakCompactKiB * 1024) / compacted.rss).toFixed(2)}`,
      ],
      ['size warning', opened.warnings.length ? opened.warnings[0] : 'none'],
    ];
    if (values.kill) {
      log('killing a compaction');
      let killedAt = 0;
      const killed = await runChild('kill', path, keys, (line, kill) => {
        if (!line.includes('compacting')) return;
        // Kills once the compaction has written part of its temporary file.
        const poll = setInterval(async () => {
          const { readdir } = await import('node:fs/promises');
          for (const name of await readdir(directory)) {
            if (!name.endsWith('.tmp')) continue;
            const written = (await stat(join(directory, name)).catch(() => undefined))?.size ?? 0;
            if (written > size / 3) {
              killedAt = written;
              clearInterval(poll);
              kill();
            }
          }
        }, 5);
      });
      const verified = await runChild('verify', path, keys);
      const { missing } = JSON.parse(verified.out.trim().split('\n')[0] as string);
      rows.push([
        'SIGKILL during compaction',
        `${killed.signal} with ${MB(killedAt)} MB of ${MB(size)} MB written; links missing on reopen: ${missing}`,
      ]);
    }
    for (const [name, value] of rows) process.stdout.write(`| ${name} | ${value} |\n`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
