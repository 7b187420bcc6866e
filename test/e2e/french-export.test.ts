import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { placeholder, runCli, sandboxConfig, scratchFolder } from './cli-runner.js';

/**
 * Issue 25: the nightly export of a French CRM, as French Excel writes it ("CSV (séparateur :
 * point-virgule)"): Windows-1252, `;`, CRLF, French headers, `customer, vip` tags.
 */

let sandbox: Sandbox;
let files: Awaited<ReturnType<typeof scratchFolder>>;
let config: string;

/** Windows-1252 bytes of `text`: Latin-1 for accents, the few C1 characters written out. */
function cp1252(text: string): Buffer {
  const c1: Record<string, number> = { '’': 0x92, '€': 0x80, œ: 0x9c, '–': 0x96, '…': 0x85 };
  return Buffer.from(
    [...text].map((char) => c1[char] ?? (char.charCodeAt(0) <= 0xff ? char.charCodeAt(0) : 0x3f)),
  );
}

const callbellNames = () =>
  sandbox.emulators.callbell
    .contacts()
    .map((contact) => (contact.record as { name?: string }).name)
    .sort();

beforeAll(async () => {
  sandbox = await startSandbox({ account: { tags: ['client', 'vip', 'prospect', 'fidèle'] } });
  files = await scratchFolder();
  config = await files.write('config.json', sandboxConfig(sandbox));
});
afterAll(async () => {
  await sandbox?.close();
  await files?.remove();
});
beforeEach(() => sandbox.reset());

async function bytes(name: string, content: Buffer): Promise<string> {
  await writeFile(files.path(name), content);
  return files.path(name);
}

const push = (...args: string[]) => runCli(['push', ...args, '--config', config]);

describe('Windows-1252', () => {
  const rows = 'key;phone;lastName\r\nc-1;06 12 34 56 78;L’Hôte\r\nc-2;06 12 34 56 79;Cœur\r\n';

  it('is detected where the bytes say so, said on stderr, and read as such', async () => {
    const path = await bytes('detect.csv', cp1252(rows));
    const run = await push(path, '--only', 'callbell');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Reading ${path} as Windows-1252: not UTF-8`);
    expect(callbellNames()).toEqual(['Cœur', 'L’Hôte']);
    expect(callbellNames().join()).not.toMatch(/[\u0080-\u009f]/);
  });

  it('--encoding windows-1252 reads it; --encoding latin1 refuses its C1 bytes naming windows-1252', async () => {
    const path = await bytes('named.csv', cp1252(rows));
    const latin1 = await push(path, '--encoding', 'latin1');
    expect(latin1.status).toBe(2);
    expect(latin1.stderr).toContain(
      `${path}: line 2, column 3 (lastName): byte 0x92 is a control character in Latin-1; the file is most likely Windows-1252 (what Excel writes): pass --encoding windows-1252`,
    );
    expect(sandbox.emulators.callbell.contacts()).toEqual([]);
    const run = await push(path, '--encoding', 'cp1252', '--only', 'callbell');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('Reading');
    expect(callbellNames()).toEqual(['Cœur', 'L’Hôte']);
  });

  it('a file that is neither UTF-8 nor unambiguously Windows-1252 is refused, naming both encodings', async () => {
    const path = await bytes(
      'ambiguous.csv',
      Buffer.from('key,phone,lastName\nc-1,0612345678,Ren\xe9e\n', 'latin1'),
    );
    const run = await push(path);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--encoding windows-1252');
    expect(run.stderr).toContain('--encoding latin1');
  });
});

describe('--rejects is written as the input was: encoding, separator, line ends', () => {
  it('Windows-1252, ;, CRLF: the failed rows byte for byte, and pushed again with the same flags they fail the same way', async () => {
    const header = 'Identifiant;Téléphone;Prénom;Nom;Étiquettes';
    const bad = ['c-2;12;Zoé;L’Hôte;client', 'c-3;pas un numéro;Noël;Cœur;vip'];
    const input = cp1252(
      `${header}\r\nc-1;06 12 34 56 78;Élise;Marché;client\r\n${bad.join('\r\n')}\r\n`,
    );
    const path = await bytes('export.csv', input);
    const rejects = files.path('rejects.csv');
    const run = await push(path, '--encoding', 'windows-1252', '--rejects', rejects);
    expect(run.status, run.stderr).toBe(1);
    const written = await readFile(rejects);
    expect(written.equals(cp1252(`${header}\r\n${bad.join('\r\n')}\r\n`))).toBe(true);

    const again = await push(
      rejects,
      '--encoding',
      'windows-1252',
      '--report',
      files.path('r.ndjson'),
    );
    expect(again.status).toBe(1);
    expect(again.stdout).toContain('2 records, 0 fully synced, 2 with failures');
    const report = (await readFile(files.path('r.ndjson'), 'utf8')).trim().split('\n');
    expect(report.every((line) => JSON.parse(line).error.code === 'invalid_input')).toBe(true);
    expect(callbellNames()).toEqual(['Élise Marché']);
  });

  it('UTF-8 with a byte-order mark keeps it; NDJSON stays NDJSON', async () => {
    const path = await files.write('bom.csv', '\uFEFFkey,phone,firstName\r\nc-1,12,Zoé\r\n');
    const rejects = files.path('bom-rejects.csv');
    expect((await push(path, '--rejects', rejects)).status).toBe(1);
    expect(await readFile(rejects, 'utf8')).toBe('\uFEFFkey,phone,firstName\r\nc-1,12,Zoé\r\n');
  });
});

describe('French headers', () => {
  it('are read out of the box, case- and accent-blind, and the summary says how', async () => {
    const path = await files.write(
      'headers.csv',
      'IDENTIFIANT;Téléphone;prenom;NOM;Date de naissance;Site web;Étiquettes;Société\r\nc-1;06 12 34 56 78;Élise;Marché;1990-04-01;https://example.com;client, vip;Boulangerie\r\n',
    );
    const run = await push(path, '--only', 'callbell', '--column', 'company=Société');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'Columns: read "IDENTIFIANT" as key, "Téléphone" as phone, "prenom" as firstName, "NOM" as lastName, "Date de naissance" as birthday, "Site web" as url, "Étiquettes" as tags, "Société" as company.',
    );
    expect(run.stdout).toContain("Tags: split on ';' and ',' (--tag-separator to change).");
    const [held] = sandbox.emulators.callbell.contacts();
    const record = held?.record as {
      name?: string;
      tags?: string[];
      customFields?: Record<string, unknown>;
    };
    expect(record.name).toBe('Élise Marché');
    expect(record.tags).toEqual(['client', 'vip']);
    expect(record.customFields).toMatchObject({ Birthday: '1990-04-01', Company: 'Boulangerie' });
  });

  it('--column and "columns" in the config name the others; unknown columns stay custom fields', async () => {
    const path = await files.write(
      'mapped.csv',
      'Code;Numéro;Ville;Entreprise\nc-1;0612345678;Lyon;ACME\n',
    );
    const refused = await push(path);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('the CSV header has no key or phone column');
    expect(refused.stderr).toContain('--column key=… and --column phone=…');
    const run = await push(
      path,
      '--column',
      'key=Code',
      '--column',
      'phone=Numéro',
      '--column',
      'city=Ville',
      '--column',
      'company=Entreprise',
      '--only',
      'callbell',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'read "Code" as key, "Numéro" as phone, "Ville" as city, "Entreprise" as company',
    );
    const record = sandbox.emulators.callbell.contacts()[0]?.record as {
      customFields?: Record<string, unknown>;
    };
    expect(record.customFields).toMatchObject({ City: 'Lyon', Company: 'ACME' });

    const mapped = await files.write('mapped-config.json', {
      ...sandboxConfig(sandbox),
      columns: { key: 'Code', phone: 'Numéro' },
    });
    const withConfig = await runCli(['push', path, '--config', mapped, '--dry-run']);
    expect(withConfig.status, withConfig.stderr).toBe(0);
    expect(withConfig.stderr).toContain('Columns: read "Code" as key, "Numéro" as phone.');
  });

  it('two columns for one field, or a mapping to no column, are refused naming them', async () => {
    const twice = await files.write(
      'twice.csv',
      'key;Téléphone;Portable\nc-1;0612345678;0612345679\n',
    );
    const run = await push(twice);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'columns "Téléphone" and "Portable" would both be read as phone; name the one to use with --column phone=…',
    );
    const chosen = await push(twice, '--column', 'phone=Portable', '--dry-run');
    expect(chosen.status, chosen.stderr).toBe(0);
    const missing = await push(twice, '--column', 'phone=Tel');
    expect(missing.stderr).toContain(
      'the columns setting phone="Tel" names no column of the header (it has "key", "Téléphone", "Portable")',
    );
    const malformed = await push(twice, '--column', 'phone');
    expect(malformed.stderr).toContain('--column phone: expected FIELD=HEADER');
  });
});

describe('tags', () => {
  it('a , file splits on ; only; --tag-separator chooses', async () => {
    const path = await files.write(
      'tags.csv',
      'key,phone,tags\nc-1,0612345678,"client, vip"\nc-2,0612345679,client;vip\n',
    );
    const run = await push(path, '--only', 'callbell', '--report', files.path('tags.ndjson'));
    expect(run.stdout).toContain("Tags: split on ';' (--tag-separator to change).");
    // "client, vip" is one tag in a , file: Callbell has no such tag.
    expect(run.status).toBe(1);
    const piped = await files.write('piped.csv', 'key;phone;tags\nc-3;0612345670;client|vip\n');
    const chosen = await push(piped, '--only', 'callbell', '--tag-separator', '|');
    expect(chosen.status, chosen.stdout).toBe(0);
    expect(chosen.stdout).toContain("Tags: split on '|'");
    const tags = sandbox.emulators.callbell
      .contacts()
      .map((contact) => (contact.record as { tags?: string[] }).tags);
    expect(tags).toContainEqual(['client', 'vip']);
  });
});

describe('config help', () => {
  it('names every unset variable at once', async () => {
    const stores = sandboxConfig(sandbox).stores;
    const path = await files.write('unset.json', {
      stores: [
        { provider: 'callbell', apiToken: placeholder('CALLBELL_API_TOKEN') },
        {
          provider: 'notificore',
          apiKey: placeholder('NOTIFICORE_API_KEY'),
          baseUrl: stores[2]?.baseUrl,
        },
      ],
    });
    const run = await runCli([
      'push',
      await files.write('a.csv', 'key,phone\nk,0612345678\n'),
      '--config',
      path,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'environment variables CALLBELL_API_TOKEN, NOTIFICORE_API_KEY are not set (stores[0].apiToken ← CALLBELL_API_TOKEN, stores[1].apiKey ← NOTIFICORE_API_KEY)',
    );
  });

  it('suggests the key or provider that was meant', async () => {
    const csv = await files.write('b.csv', 'key,phone\nk,0612345678\n');
    const [callbell] = sandboxConfig(sandbox).stores.filter(
      (store) => store.provider === 'callbell',
    );
    const cases: [object, string][] = [
      [
        { stores: [{ ...callbell, fieldmap: {} }] },
        'stores[0].fieldmap: unknown key (did you mean fieldMap?)',
      ],
      [{ stores: [{ ...callbell, provider: 'callbel' }] }, "(did you mean 'callbell'?)"],
      [{ store: [] }, 'store: unknown key (did you mean stores?'],
      [{ stores: [callbell], column: {} }, 'column: unknown key (did you mean columns?'],
      [
        { stores: [callbell], columns: { phnoe: 'Tel' } },
        'columns.phnoe: not a contact field: did you mean phone?',
      ],
    ];
    for (const [content, message] of cases) {
      const run = await runCli(['push', csv, '--config', await files.write('typo.json', content)]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});

describe('conflicts name the owner', () => {
  it('in the summary and in --report: existingKey and existingId', async () => {
    const links = files.path('conflict-links.jsonl');
    const first = await files.write('owner.csv', 'key,phone\ncrm-1,0612345678\n');
    expect((await push(first, '--links', links, '--only', 'callbell')).status).toBe(0);
    const id = sandbox.emulators.callbell.contacts()[0]?.id;
    const second = await files.write('taker.csv', 'key,phone\ncrm-2,06 12 34 56 78\n');
    const report = files.path('conflict.ndjson');
    const run = await push(second, '--links', links, '--only', 'callbell', '--report', report);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      `Conflicts (the phone is held by the contact of another key):\n  callbell: crm-2 → key crm-1 (callbell id ${id})`,
    );
    const [line] = (await readFile(report, 'utf8')).trim().split('\n');
    expect(JSON.parse(line as string).error).toMatchObject({
      code: 'conflict',
      existingKey: 'crm-1',
      existingId: id,
    });
  });
});

describe('export for Excel', () => {
  it('--excel writes a BOM, ; and CRLF; --delimiter sets the separator; push reads both back', async () => {
    const links = files.path('export-links.jsonl');
    const input = await files.write(
      'to-export.csv',
      'key;phone;firstName;lastName;tags;city\nc-1;0612345678;Élise;Marché;client, vip;Lyon\nc-2;0612345679;Noël;Cœur;prospect;Paris; centre\n'.replace(
        'Paris; centre',
        '"Paris; centre"',
      ),
    );
    expect((await push(input, '--links', links, '--only', 'callbell')).status).toBe(0);
    const excel = files.path('excel.csv');
    const run = await runCli([
      'export',
      '--from',
      'callbell',
      '--excel',
      '--links',
      links,
      '--out',
      excel,
      '--config',
      config,
    ]);
    expect(run.status, run.stderr).toBe(0);
    const text = await readFile(excel, 'utf8');
    expect(
      text.startsWith(
        '\uFEFFkey;phone;firstName;lastName;name;birthday;url;tags;assignedUser;city\r\n',
      ),
    ).toBe(true);
    expect(text).toContain(
      '\r\nc-1;+33612345678;Élise;Marché;Élise Marché;;;"client;vip";;Lyon\r\n',
    );
    expect(text).toContain(';"Paris; centre"\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const again = await push(excel, '--links', links, '--only', 'callbell');
    expect(again.status, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/^callbell +0 +0 +2 +0 +0$/m);

    const tab = files.path('tab.csv');
    expect(
      (
        await runCli([
          'export',
          '--from',
          'callbell',
          '--format',
          'csv',
          '--delimiter',
          'tab',
          '--out',
          tab,
          '--config',
          config,
        ])
      ).status,
    ).toBe(0);
    expect((await readFile(tab, 'utf8')).split('\n')[0]).toBe(
      'key\tphone\tfirstName\tlastName\tname\tbirthday\turl\ttags\tassignedUser\tcity',
    );
    const wrong = await runCli([
      'export',
      '--from',
      'callbell',
      '--format',
      'ndjson',
      '--delimiter',
      ';',
      '--config',
      config,
    ]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--delimiter goes with --format csv');
  });
});

describe('landlines', () => {
  const rows = 'key,phone\nm-1,06 12 34 56 78\nf-1,01 42 68 53 00\nf-2,+33 4 78 42 10 10\n';

  it('are sent with a phone fixed_line warning per row and vendor, counted in the summary', async () => {
    const path = await files.write('landlines.csv', rows);
    const report = files.path('landlines.ndjson');
    const run = await push(path, '--report', report);
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      'Landlines: 2 records have a fixed-line phone (phone fixed_line): stored, but SMS and WhatsApp cannot reach them (--refuse-landlines keeps them back).',
    );
    expect(run.stdout).not.toContain('phone fixed_line\n');
    const lines = (await readFile(report, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const warned = lines.filter((line) =>
      (line.warnings ?? []).some(
        (w: { field: string; reason: string }) => w.field === 'phone' && w.reason === 'fixed_line',
      ),
    );
    expect(warned.map((line) => `${line.key} ${line.provider}`).sort()).toEqual([
      'f-1 callbell',
      'f-1 notificore',
      'f-1 smspartner',
      'f-2 callbell',
      'f-2 notificore',
      'f-2 smspartner',
    ]);
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(3);
  });

  it('--refuse-landlines fails them at every vendor without a request, into --rejects', async () => {
    const path = await files.write('refuse.csv', rows);
    const rejects = files.path('refused.csv');
    const run = await push(path, '--refuse-landlines', '--rejects', rejects);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      'Landlines: 2 records refused for a fixed-line phone (--refuse-landlines).',
    );
    expect(run.stdout).toContain('all vendors: 2 × invalid_input: contact.phone: fixed_line');
    expect(await readFile(rejects, 'utf8')).toBe(
      'key,phone\nf-1,01 42 68 53 00\nf-2,+33 4 78 42 10 10\n',
    );
    for (const emulator of Object.values(sandbox.emulators))
      expect(emulator.contacts()).toHaveLength(1);
  });
});
