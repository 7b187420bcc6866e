#!/usr/bin/env node
// The consumer smoke test: what a user gets from the registry, checked from the outside. Packs the
// package (`npm pack`, which runs `prepack`: the build), installs the tarball into a fresh ESM
// TypeScript project (strict, module/moduleResolution NodeNext) in a temp folder, type-checks the
// README's TypeScript examples there and runs them against the sandbox, then runs the installed
// `contact-sync` command and a CommonJS `require`. Runs on the Node that runs it.
//
//   node scripts/consumer-smoke.mjs [--tarball contact-sync-0.1.0.tgz] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const tarballFlag = args.indexOf('--tarball');
const work = mkdtempSync(join(tmpdir(), 'contact-sync-consumer-'));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const failures = [];
const check = (ok, what) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) failures.push(what);
};
// npm and npx run on this same Node: the folder of process.execPath goes first on PATH.
const env = {
  ...process.env,
  PATH: `${resolve(process.execPath, '..')}:${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
};
const run = (command, commandArgs, options = {}) =>
  execFileSync(command, commandArgs, { encoding: 'utf8', env, stdio: 'pipe', ...options });

try {
  process.stdout.write(`consumer smoke test on Node ${process.version} in ${work}\n`);
  const tarball = tarballFlag >= 0 ? resolve(args[tarballFlag + 1]) : pack(join(work, 'pack'));
  checkTarball(tarball);

  const project = join(work, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          skipLibCheck: false,
          verbatimModuleSyntax: true,
          outDir: 'build',
          rootDir: 'src',
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  const devPins = ['typescript', '@types/node'].map(
    (name) => `${name}@${manifest.devDependencies[name]}`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...devPins], {
    cwd: project,
  });
  checkInstall(project);

  const examples = readmeExamples();
  check(examples.length >= 3, `README has TypeScript examples (${examples.length})`);
  examples.forEach((code, index) => {
    writeFileSync(join(project, 'src', `example-${index + 1}.ts`), code);
  });
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], {
    cwd: project,
    encoding: 'utf8',
    env,
  });
  check(
    tsc.status === 0,
    `the README's examples type-check (strict, NodeNext)${tsc.status ? `:\n${tsc.stdout}${tsc.stderr}` : ''}`,
  );
  if (tsc.status === 0) runExamples(project, examples.length);
  runCommandLine(project);
  const cjs = spawnSync(
    process.execPath,
    [
      '-e',
      "const m = require('contact-sync'); if (typeof m.createContactStore !== 'function') process.exit(1)",
    ],
    { cwd: project, encoding: 'utf8', env },
  );
  check(
    cjs.status === 0,
    `require('contact-sync') from CommonJS works${cjs.stderr ? `: ${cjs.stderr}` : ''}`,
  );
} catch (error) {
  failures.push(String(error?.stderr || error?.message || error));
  process.stdout.write(`FAIL ${failures.at(-1)}\n`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
process.stdout.write(
  failures.length
    ? `consumer smoke test: ${failures.length} failed on Node ${process.version}\n`
    : `consumer smoke test: passed on Node ${process.version}\n`,
);
process.exit(failures.length ? 1 : 0);

/** `npm pack` into `folder` (prepack builds dist/); returns the tarball's path. */
function pack(folder) {
  mkdirSync(folder, { recursive: true });
  const output = run('npm', ['pack', '--json', '--pack-destination', folder], { cwd: root });
  const [{ filename }] = JSON.parse(output.slice(output.search(/^\[/m)));
  return join(folder, filename);
}

function checkTarball(tarball) {
  const files = run('tar', ['-tzf', tarball]).split('\n').filter(Boolean);
  for (const entry of Object.values(manifest.exports)) {
    const targets = typeof entry === 'string' ? [entry] : Object.values(entry);
    for (const target of targets) {
      check(
        files.includes(`package/${target.replace(/^\.\//, '')}`),
        `the tarball holds ${target}`,
      );
    }
  }
  check(
    files.includes(`package/${manifest.bin['contact-sync'].replace(/^\.\//, '')}`),
    'the tarball holds the command',
  );
  for (const file of [
    'LICENSE',
    'CHANGELOG.md',
    'README.md',
    'docs/errors.md',
    'docs/support.md',
    'dist/sandbox-ui/index.html',
    'dist/sandbox-ui/app.js',
    'dist/sandbox-ui/app.css',
  ]) {
    check(files.includes(`package/${file}`), `the tarball holds ${file}`);
  }
  check(!files.some((file) => file.endsWith('.map')), 'the tarball holds no source map');
}

function checkInstall(project) {
  const installed = join(project, 'node_modules', 'contact-sync');
  const dist = join(installed, 'dist');
  const referencing = readdirSync(dist).filter(
    (file) =>
      file.endsWith('.js') && readFileSync(join(dist, file), 'utf8').includes('sourceMappingURL'),
  );
  check(
    referencing.length === 0,
    `no dist file points at a source map (${referencing.join(', ') || 'none'})`,
  );
  // The library's users do not install the command line's CSV parser or progress bar.
  const modules = readdirSync(join(project, 'node_modules'));
  for (const name of ['csv-parse', 'cli-progress']) {
    check(!modules.includes(name), `installing contact-sync does not install ${name}`);
  }
  // Every README link to a file resolves inside the installed package.
  const readme = readFileSync(join(installed, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
  const missing = links.filter((link) => {
    try {
      readFileSync(join(installed, link));
      return false;
    } catch {
      return true;
    }
  });
  check(
    links.length > 0 && missing.length === 0,
    `every README link resolves in the package (${links.length} links${missing.length ? `; missing ${missing.join(', ')}` : ''})`,
  );
}

/** The ```ts blocks of README.md, in order. */
function readmeExamples() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

/**
 * Runs the compiled examples in one process against the sandbox, unchanged: the secrets and base
 * URLs they read from the environment are the sandbox's; a request to any other host fails.
 */
function runExamples(project, count) {
  const runner = `
import { startSandbox } from 'contact-sync/sandbox';
const sandbox = await startSandbox();
const configs = Object.fromEntries(sandbox.storeConfigs().map((config) => [config.provider, config]));
Object.assign(process.env, {
  CONTACT_STORE_CONFIG: JSON.stringify({ ...configs.callbell, defaultCountry: 'FR' }),
  SMSPARTNER_API_KEY: configs.smspartner.apiKey,
  SMSPARTNER_GROUP_ID: configs.smspartner.groupId,
  CALLBELL_API_TOKEN: configs.callbell.apiToken,
  NOTIFICORE_API_KEY: configs.notificore.apiKey,
  // The examples read their base URL from the environment, as a user aims them at the sandbox.
  SMSPARTNER_BASE_URL: configs.smspartner.baseUrl,
  CALLBELL_BASE_URL: configs.callbell.baseUrl,
  NOTIFICORE_BASE_URL: configs.notificore.baseUrl,
});
// Nothing leaves for a vendor's real host: an example that does is a failure.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(sandbox.url)) throw new Error('smoke test: a request left for ' + new URL(url).host);
  return realFetch(input, init);
};
for (let index = 1; index <= ${count}; index += 1) {
  console.log('--- example ' + index);
  await import('./build/example-' + index + '.js');
}
const held = Object.fromEntries(Object.entries(sandbox.emulators).map(([name, emulator]) => [name, emulator.contacts().length]));
console.log('--- held ' + JSON.stringify(held));
await sandbox.close();
// The sandbox's page is served from the installed package's own files.
const withUi = await startSandbox({ ui: true });
const served = [];
for (const file of ['', 'app.js', 'app.css', '../_sandbox/api/vendors']) {
  const response = await realFetch(withUi.uiUrl + file);
  served.push(response.status);
  await response.arrayBuffer();
}
console.log('--- page ' + served.join(' '));
await withUi.close();
process.exit(0);
`;
  writeFileSync(join(project, 'run-examples.mjs'), runner);
  const result = spawnSync(process.execPath, ['run-examples.mjs'], {
    cwd: project,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  check(
    result.status === 0,
    `the README's examples run against the sandbox${result.status === 0 ? '' : `:\n${output}`}`,
  );
  // The second example pushes the phone the first one created at Callbell: linked, not doubled.
  check(
    /^smspartner (created|updated|unchanged) *$/m.test(result.stdout) &&
      /^callbell (created|updated|unchanged) *$/m.test(result.stdout),
    'the two-vendor example reaches both vendors without a failure',
  );
  check(
    /^--- page 200 200 200 200$/m.test(result.stdout),
    "the sandbox's page and its files are served from the installed package",
  );
  const held = JSON.parse(/--- held (.*)/.exec(result.stdout)?.[1] ?? '{}');
  check(
    held.callbell >= 1 && held.smspartner >= 1,
    `the sandbox holds what the examples sent (${JSON.stringify(held)})`,
  );
}

/** The installed `contact-sync` command: --version, and a push of a CSV file to the sandbox. */
function runCommandLine(project) {
  const bin = join(project, 'node_modules', '.bin', 'contact-sync');
  const version = spawnSync(bin, ['--version'], { cwd: project, encoding: 'utf8', env });
  check(
    version.stdout.trim() === manifest.version,
    `contact-sync --version prints ${manifest.version}`,
  );
  const script = `
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { startSandbox } from 'contact-sync/sandbox';
const sandbox = await startSandbox();
writeFileSync('contact-sync.config.json', JSON.stringify({ defaultCountry: 'FR', stores: sandbox.storeConfigs() }));
writeFileSync('contacts.csv', 'key,phone,firstName,company\\nc-1,06 12 34 56 78,Ada,ACME\\nc-2,+33 6 98 76 54 32,Alan,\\n');
// Not spawnSync: the sandbox answers from this process, so its event loop must keep running.
const push = spawn(${JSON.stringify(bin)}, ['push', 'contacts.csv', '--links', 'links.jsonl'], { stdio: 'inherit' });
const [status] = await once(push, 'close');
await sandbox.close();
process.exit(status ?? 1);
`;
  writeFileSync(join(project, 'run-cli.mjs'), script);
  const push = spawnSync(process.execPath, ['run-cli.mjs'], {
    cwd: project,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  check(
    push.status === 0 && push.stdout.includes('2 records, 2 fully synced, 0 with failures'),
    `the installed command pushes a CSV file to the sandbox${push.status === 0 ? '' : `:\n${push.stdout}${push.stderr}`}`,
  );
}
