import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';
import { InputFileError, readRecords } from '../../cli/input.js';
import { runCli } from '../../cli/main.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { configLike, nastyString } from './support/arbitraries.js';

/**
 * The command line's own entries with generated input: the config loader gives a config or a
 * ConfigError, the input readers give records or an InputFileError, and `push` ends with status
 * 0, 1 or 2, never "unexpected error"; a file refused with status 2 sent nothing.
 */

let directory: string;
let sandbox: Sandbox;
let counter = 0;
const nextPath = (extension: string) => join(directory, `f${counter++}${extension}`);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-fuzz-cli-'));
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
  await rm(directory, { recursive: true, force: true });
});

const jsonText = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      { stores: fc.array(configLike, { maxLength: 2 }), defaultCountry: nastyString },
      { requiredKeys: [] },
    )
    .map((value) => {
      try {
        return JSON.stringify(value) ?? 'null';
      } catch {
        return '{}';
      }
    }),
  fc.string(),
);

const cell = fc.oneof(
  fc.constantFrom('+33612345678', '0612345678', 'Ada', '', 'a;b', '"quoted, comma"', '__proto__'),
  fc.string({ maxLength: 12 }),
);
const csvText = fc
  .tuple(
    fc.oneof(
      fc.constant(['key', 'phone', 'firstName', 'tags']),
      fc.array(
        fc.oneof(
          fc.constantFrom('key', 'phone', 'company', '__proto__'),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 5 },
      ),
    ),
    fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 6 }),
  )
  .map(([header, rows]) => [header.join(','), ...rows.map((row) => row.join(','))].join('\n'));
const rowLike = fc.oneof(
  fc.record({ key: cell, phone: cell, firstName: cell }, { requiredKeys: [] }),
  fc.record({ key: cell, contact: fc.jsonValue({ maxDepth: 2 }) }),
  fc.jsonValue({ maxDepth: 2 }),
);
const ndjsonText = fc.oneof(
  fc
    .array(rowLike, { maxLength: 5 })
    .map((rows) => rows.map((row) => JSON.stringify(row)).join('\n')),
  fc.string(),
);
const jsonArrayText = fc.oneof(
  fc.array(rowLike, { maxLength: 5 }).map((rows) => JSON.stringify(rows)),
  fc.string(),
  fc.constantFrom(
    '[',
    '[{}',
    '[1,,2]',
    '[]',
    '{"key":"k"}',
    '\uFEFF[{"key":"k","phone":"+33612345678"}]',
  ),
);

describe('fuzz: the CLI config loader', () => {
  it('a config, or a ConfigError naming the file', async () => {
    await fc.assert(
      fc.asyncProperty(jsonText, async (text) => {
        const path = nextPath('.json');
        await writeFile(path, text);
        try {
          const { stores } = await loadConfig(path, { KEY: 'k-123456' });
          expect(stores.length).toBeGreaterThan(0);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.message).toContain(path);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzz: the CLI input readers', () => {
  it('records with a string key and an object contact, or an InputFileError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvText.map((text) => ['.csv', text] as const),
          ndjsonText.map((text) => ['.ndjson', text] as const),
          jsonArrayText.map((text) => ['.json', text] as const),
        ),
        async ([extension, text]) => {
          const path = nextPath(extension);
          await writeFile(path, text);
          try {
            for await (const record of readRecords(path)) {
              expect(typeof record.key).toBe('string');
              expect(typeof record.contact).toBe('object');
              expect(typeof record.source).toBe('string');
            }
          } catch (error) {
            if (!(error instanceof InputFileError)) throw error;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('push, dry or real: status 0, 1 or 2, never an unexpected error; status 2 sends nothing', async () => {
    const config = nextPath('.json');
    await writeFile(
      config,
      JSON.stringify({
        stores: sandbox.storeConfigs().map((store) => ({ ...store, retry: false, timeout: 1000 })),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvText.map((text) => ['.csv', text] as const),
          ndjsonText.map((text) => ['.ndjson', text] as const),
          jsonArrayText.map((text) => ['.json', text] as const),
        ),
        fc.boolean(),
        async ([extension, text], dryRun) => {
          const path = nextPath(extension);
          await writeFile(path, text);
          sandbox.reset();
          let errText = '';
          const err = new PassThrough();
          err.on('data', (chunk: Buffer) => {
            errText += chunk.toString();
          });
          const argv = ['push', path, '--config', config, ...(dryRun ? ['--dry-run'] : [])];
          const status = await runCli({ argv, env: {}, out: new PassThrough().resume(), err });
          expect([0, 1, 2], errText).toContain(status);
          expect(errText).not.toContain('unexpected error');
          if (status === 2 || dryRun) expect(sandbox.requests).toHaveLength(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
