import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { ContactStore } from '../src/contact-store.js';
import { isContactSyncError } from '../src/errors.js';
import { memoryLinkStore } from '../src/sync/index.js';
import { loadAccounts } from './accounts.js';
import { coloursFor } from './colour.js';
import { ConfigError, loadConfig } from './config.js';
import { demoCommand } from './demo.js';
import { csvStyle, exportCommand, exportFormat } from './export.js';
import { InputFileError, type ReadOptions } from './input.js';
import { cliLogger } from './log-lines.js';
import { migrateCommand } from './migrate.js';
import { optoutsCommand } from './optouts.js';
import { openLinks, pushCommand, selectStores, UsageError } from './push.js';
import { failedCommand, queuePushCommand, statusCommand, workerCommand } from './queue-commands.js';
import { sandboxCommand } from './sandbox.js';
import { OutputFileError } from './writers.js';

const NAME = 'contact-sync';
const DEFAULT_CONFIG = 'contact-sync.config.json';

const SYNOPSIS = `Usage:
  contact-sync push <file.csv|.json|.ndjson> [--config contact-sync.config.json] [--only a,b]
                    [--dry-run] [--concurrency N] [--links PATH] [--report PATH] [--rejects PATH]
                    [--encoding utf8|windows-1252|latin1] [--delimiter ,|;|tab]
                    [--column FIELD=HEADER]… [--tag-separator CHARS] [--refuse-landlines]
  contact-sync push --queue redis://host:6379 <file> [--name QUEUE] [--account A]
  contact-sync worker --redis redis://host:6379 [--config contact-sync.config.json] [--name QUEUE]
                      [--accounts accounts.json|module.js] [--concurrency N]
  contact-sync failed --redis redis://host:6379 [--name QUEUE] [--account A] [--limit N] [--retry]
  contact-sync status --redis redis://host:6379 [--name QUEUE] [--account A]
  contact-sync push <file> --diff [--only a,b] [--links PATH] [--report PATH]
  contact-sync optouts [--apply] [--out FILE.csv] [--links PATH] [--config …] [--only a,b]
  contact-sync export --from <provider> [--out FILE] [--format ndjson|csv] [--links PATH]
                      [--delimiter ;] [--excel]
  contact-sync migrate --from <provider> --to <provider> [--links PATH] [--dry-run]
  contact-sync sandbox [--port N] [--fault-rate R] [--seed N] [--latency MS]
                       [--seed-file FILE --provider NAME] [--webhook-url URL]
                       [--tags a,b] [--fields A,B] [--ui] [--log]
  contact-sync demo

Run 'contact-sync <command> --help' for a command's options.
Exit status: 0 every row synced, 1 some rows failed, 2 usage, config or input-file error (nothing sent).
`;

/** What a first run without a config file is shown: the smallest config that works. */
export const CONFIG_HINT = `Create it, for example:
  {
    "defaultCountry": "FR",
    "stores": [{ "provider": "callbell", "apiToken": "\${CALLBELL_API_TOKEN}" }]
  }
Secrets come from the environment through \${NAME} placeholders (here CALLBELL_API_TOKEN).
To try without an account, 'contact-sync sandbox > ${DEFAULT_CONFIG}' writes a config for
the local sandbox (leave it running), or run 'contact-sync demo'.
Use --config PATH for a file elsewhere.
`;

export interface CliIo {
  argv: string[];
  env: Record<string, string | undefined>;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** A config error on a file that does not exist: shown with CONFIG_HINT. */
class MissingConfigError extends ConfigError {}

/** Runs one command; resolves its exit status. Never throws. */
export async function runCli(io: CliIo): Promise<number> {
  const red = coloursFor(io.err, io.env).red;
  const fail = (message: string) => io.err.write(`${red(`${NAME}:`)} ${message}\n`);
  let status = 0;
  const program = buildProgram(io, (value) => {
    status = value;
  });
  if (io.argv.length === 0) {
    io.out.write(SYNOPSIS);
    return 2;
  }
  try {
    await program.parseAsync(io.argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with exitCode 0; every parser complaint is a usage error (2).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      fail(`${error.message}\n${seeHelp(io.argv)}`);
      return 2;
    }
    if (error instanceof MissingConfigError) {
      fail(`${error.message}\n${CONFIG_HINT}Nothing was sent.`);
      return 2;
    }
    if (
      error instanceof ConfigError ||
      error instanceof InputFileError ||
      error instanceof OutputFileError ||
      (isContactSyncError(error) && error.code === 'invalid_config')
    ) {
      fail(`${error.message}\nNothing was sent.`);
      return 2;
    }
    fail(`unexpected error: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

function buildProgram(io: CliIo, setStatus: (status: number) => void): Command {
  const red = coloursFor(io.err, io.env).red;
  const program = new Command(NAME)
    .description('Keep contacts in SMS Partner, Callbell and Notificore from one file or feed.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', `\n${SYNOPSIS}`)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
      // Commander's "error: unknown option '--fast'" becomes "contact-sync: unknown option …".
      outputError: (text, write) =>
        write(`${red(`${NAME}:`)} ${text.replace(/^error: /, '')}${seeHelp(io.argv)}\n`),
    })
    .exitOverride();
  const command = (name: string) =>
    program
      .command(name)
      .exitOverride()
      .configureOutput(program.configureOutput())
      .showSuggestionAfterError(true);

  command('push')
    .description('push every record of a CSV, JSON or NDJSON file to the configured vendors')
    .usage('<file.csv|.json|.ndjson> [options]')
    .argument('[file]', 'the records: .csv, .json, .ndjson or .jsonl')
    .allowExcessArguments(true)
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .option('--only <names>', 'only these vendors of the config, comma-separated (e.g. callbell)')
    .option('--dry-run', 'print the request each vendor would receive; send nothing', false)
    .option(
      '--diff',
      'read each vendor and print what a push would change, field by field; write nothing',
      false,
    )
    .option('--concurrency <n>', 'records in flight at once (default 8)')
    .option('--links <path>', 'keep the key ↔ vendor id links in this file, so a rerun updates')
    .option('--report <path>', 'write one NDJSON line per record and vendor')
    .option('--rejects <path>', "write the rows that failed, in the input's format")
    .option(
      '--encoding <name>',
      "the input file's encoding: utf8, windows-1252 (Excel on Windows in Western Europe) or latin1 (default: utf8, or windows-1252 when the bytes say so)",
    )
    .option('--delimiter <char>', 'the CSV separator: , ; tab or one character (default: detected)')
    .option(
      '--column <field=header>',
      'read this CSV column as this field, e.g. phone=Téléphone (repeatable; adds to "columns" in the config)',
      collect,
      [],
    )
    .option(
      '--tag-separator <chars>',
      "the characters a tags cell is split on (default ';', and ',' too when ',' is not the separator)",
    )
    .option(
      '--refuse-landlines',
      'fail the rows whose phone is a fixed line (SMS and WhatsApp cannot reach it) instead of sending them with a warning',
      false,
    )
    .option('--queue <redis-url>', 'enqueue the records for workers instead of sending them')
    .option('--name <queue>', 'the queue name with --queue')
    .option('--account <name>', "with --queue: the account's queue (workers run with --accounts)")
    .option('--no-progress', 'no progress bar or progress lines on stderr')
    .addOption(
      new Option(
        '--progress-every <seconds>',
        'seconds between progress lines when stderr is not a terminal',
      )
        .default(10)
        .argParser(positiveNumber),
    )
    .action(async (file: string | undefined, options: PushFlags, self: Command) => {
      setStatus(await push(file, self.args.length, options, io));
    });

  command('worker')
    .description('take records from a Redis queue and push them, until stopped')
    .allowExcessArguments(true)
    .option('--redis <url>', 'the Redis server, e.g. redis://127.0.0.1:6379')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .option('--name <queue>', 'the queue name')
    .option(
      '--accounts <file|module>',
      'many accounts: a JSON file { "<account>": { "stores": [...] } } or a module exporting the resolver',
    )
    .option('--concurrency <n>', 'jobs in flight at once')
    .action(async (options: WorkerFlags, self: Command) => {
      if (self.args.length) throw new UsageError('worker takes no arguments');
      if (!options.redis) throw new UsageError('worker needs --redis redis://host:6379');
      const concurrency = optionalPositiveInteger('--concurrency', options.concurrency);
      const logger = cliLogger(io.env, io.err);
      const many = options.accounts
        ? await loadAccounts(options.accounts, io.env, logger)
        : undefined;
      const config = many ? undefined : await loadConfigWithHint(options.config, io);
      setStatus(
        await workerCommand({
          ...(config ? { config } : {}),
          ...(many ? { accounts: many } : {}),
          redis: options.redis,
          name: options.name,
          concurrency,
          logger: cliLogger(io.env, io.err),
          out: io.out,
          err: io.err,
          signal: io.signal,
        }),
      );
    });

  command('failed')
    .description('list the queued jobs that exhausted their attempts, and optionally retry them')
    .allowExcessArguments(true)
    .option('--redis <url>', 'the Redis server, e.g. redis://127.0.0.1:6379')
    .option('--name <queue>', 'the queue name')
    .option('--account <name>', "that account's failed jobs")
    .option('--limit <n>', 'list at most this many')
    .option('--retry', 'put them back in the queue', false)
    .action(async (options: FailedFlags, self: Command) => {
      if (self.args.length) throw new UsageError('failed takes no arguments');
      if (!options.redis) throw new UsageError('failed needs --redis redis://host:6379');
      setStatus(
        await failedCommand({
          redis: options.redis,
          name: options.name,
          ...(options.account === undefined ? {} : { account: options.account }),
          retry: options.retry,
          limit: optionalPositiveInteger('--limit', options.limit),
          out: io.out,
          err: io.err,
          signal: io.signal,
        }),
      );
    });

  command('status')
    .description(
      'per account: jobs waiting, active, delayed and failed, the rate and the time left',
    )
    .allowExcessArguments(true)
    .option('--redis <url>', 'the Redis server, e.g. redis://127.0.0.1:6379')
    .option('--name <queue>', 'the queue name')
    .option('--account <name>', 'that account only')
    .action(async (options: StatusFlags, self: Command) => {
      if (self.args.length) throw new UsageError('status takes no arguments');
      if (!options.redis) throw new UsageError('status needs --redis redis://host:6379');
      setStatus(
        await statusCommand({
          redis: options.redis,
          name: options.name,
          ...(options.account === undefined ? {} : { account: options.account }),
          out: io.out,
          err: io.err,
          signal: io.signal,
        }),
      );
    });

  command('sandbox')
    .description('serve the three vendors on 127.0.0.1 and print a config for them, until stopped')
    .allowExcessArguments(true)
    .option('--port <n>', 'the port; 0 picks a free one', '0')
    .option('--fault-rate <r>', 'the share of requests that fail (0 to 1)', '0')
    .option('--seed <n>', 'the seed of the faults, for repeatable runs', '1')
    .option('--latency <ms>', 'added to every answer', '0')
    .option('--seed-file <path>', 'pre-fill one vendor with these records (.ndjson, .json or .csv)')
    .option('--provider <name>', 'the vendor --seed-file fills: smspartner, callbell or notificore')
    .option(
      '--tags <names>',
      "the tags Callbell's account has, comma-separated (mirror yours: any other is refused)",
    )
    .option(
      '--fields <names>',
      'the custom fields Callbell and Notificore have, comma-separated (besides the mapped ones)',
    )
    .option('--ui', 'serve the web page (contacts, request log, switches) at /_sandbox/')
    .option('--log', 'print one line per request (no secrets, no phones), and counts at exit')
    .option('--webhook-url <url>', "deliver Callbell's contact events, signed, to this URL")
    .option(
      '--webhook-secret <secret>',
      'the signing secret (default: a new whsec_… printed at start)',
    )
    .action(async (options: SandboxFlags, self: Command) => {
      if (self.args.length) throw new UsageError('sandbox takes no arguments');
      const faultRate = Number(options.faultRate);
      if (!(faultRate >= 0 && faultRate <= 1))
        throw new UsageError('--fault-rate must be a number from 0 to 1');
      const flags = {
        port: nonNegativeInteger('--port', options.port),
        faultRate,
        seed: nonNegativeInteger('--seed', options.seed),
        latencyMs: nonNegativeInteger('--latency', options.latency),
        seedFile: sandboxSeed(options),
        account: {
          ...(options.tags !== undefined ? { tags: splitNames(options.tags) } : {}),
          ...(options.fields !== undefined ? { fields: splitNames(options.fields) } : {}),
        },
        webhook: options.webhookUrl
          ? { url: options.webhookUrl, secret: options.webhookSecret }
          : undefined,
        ui: options.ui === true,
        log: options.log === true,
      };
      setStatus(await sandboxCommand(flags, io));
    });

  command('optouts')
    .description(
      "list every vendor's opt-outs (stop lists), and with --apply write each to every vendor that can hold it",
    )
    .allowExcessArguments(true)
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .option('--only <names>', 'only these vendors of the config, comma-separated')
    .option('--apply', 'write each opt-out to the vendors that do not hold it yet', false)
    .option('--out <path>', 'write CSV for the CRM: key,phone,provider,channel,at')
    .option('--links <path>', 'the links file of your pushes, to name the key of each phone')
    .action(async (options: OptOutsFlags, self: Command) => {
      if (self.args.length) throw new UsageError('optouts takes no arguments');
      const config = await loadConfigWithHint(options.config, io);
      const stores = selectStores(config.stores, splitNames(options.only));
      const links = options.links ? await openLinks(options.links) : memoryLinkStore();
      try {
        setStatus(
          await optoutsCommand({
            config: { config: config.config, stores },
            links,
            apply: options.apply,
            outFile: options.out,
            signal: io.signal,
            out: io.out,
            err: io.err,
          }),
        );
      } finally {
        await links.close?.();
      }
    });

  command('export')
    .description('write every contact a vendor holds as records push reads (NDJSON or CSV)')
    .allowExcessArguments(true)
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .option('--from <provider>', 'the vendor to read (a store of the config)')
    .option('--out <path>', 'the file to write (default: standard output)')
    .option('--format <format>', 'ndjson (default) or csv')
    .option('--delimiter <char>', 'the CSV separator: , (default) ; tab or one character')
    .option(
      '--excel',
      'CSV for Excel in France and Europe: ; separated, a UTF-8 byte-order mark, CRLF',
      false,
    )
    .option('--links <path>', 'the links file: linked contacts keep your key')
    .action(async (options: ExportFlags, self: Command) => {
      if (self.args.length) throw new UsageError('export takes no arguments');
      if (!options.from) throw new UsageError('export needs --from <provider>');
      const format = exportFormat(options.format, options.excel);
      const csv = csvStyle(format, options.delimiter, options.excel);
      const config = await loadConfigWithHint(options.config, io);
      const [from] = selectStores(config.stores, [options.from]);
      const links = options.links ? await openLinks(options.links) : undefined;
      try {
        setStatus(
          await exportCommand({
            from: from as ContactStore,
            links,
            format,
            ...(csv ? { csv } : {}),
            outFile: options.out,
            signal: io.signal,
            out: io.out,
            err: io.err,
          }),
        );
      } finally {
        await links?.close?.();
      }
    });

  command('migrate')
    .description('push what one vendor holds to another, with links: resumable, a rerun updates')
    .allowExcessArguments(true)
    .option('-c, --config <path>', 'the config file (with both vendors)', DEFAULT_CONFIG)
    .option('--from <provider>', 'the vendor you are leaving (read only)')
    .option('--to <provider>', 'the vendor you are moving to')
    .option('--links <path>', 'keep the links in this file, so an interrupted run resumes')
    .option('--dry-run', 'read both sides and print what the run would do; write nothing', false)
    .option('--concurrency <n>', 'contacts in flight at once (default 8)')
    .action(async (options: MigrateFlags, self: Command) => {
      if (self.args.length) throw new UsageError('migrate takes no arguments');
      if (!options.from || !options.to)
        throw new UsageError('migrate needs --from <provider> and --to <provider>');
      if (options.from === options.to) throw new UsageError('--from and --to name the same vendor');
      const concurrency = optionalPositiveInteger('--concurrency', options.concurrency);
      const config = await loadConfigWithHint(options.config, io);
      const [from] = selectStores(config.stores, [options.from]);
      const [to] = selectStores(config.stores, [options.to]);
      const links = options.links ? await openLinks(options.links) : memoryLinkStore();
      try {
        setStatus(
          await migrateCommand({
            from: from as ContactStore,
            to: to as ContactStore,
            links,
            linksPath: options.links,
            dryRun: options.dryRun,
            concurrency,
            signal: io.signal,
            env: io.env,
            out: io.out,
            err: io.err,
          }),
        );
      } finally {
        await links.close?.();
      }
    });

  command('demo')
    .description('start the sandbox and push the example file to the three vendors')
    .action(async () => {
      setStatus(await demoCommand(io));
    });

  return program;
}

interface PushFlags {
  config: string;
  only?: string;
  dryRun: boolean;
  diff: boolean;
  concurrency?: string;
  links?: string;
  report?: string;
  rejects?: string;
  encoding?: string;
  delimiter?: string;
  column: string[];
  tagSeparator?: string;
  refuseLandlines: boolean;
  queue?: string;
  name?: string;
  account?: string;
  progress: boolean;
  progressEvery: number;
}

interface WorkerFlags {
  redis?: string;
  config: string;
  name?: string;
  accounts?: string;
  concurrency?: string;
}

interface StatusFlags {
  redis?: string;
  name?: string;
  account?: string;
}

interface FailedFlags {
  redis?: string;
  name?: string;
  account?: string;
  limit?: string;
  retry: boolean;
}

interface SandboxFlags {
  port: string;
  faultRate: string;
  seed: string;
  latency: string;
  seedFile?: string;
  provider?: string;
  tags?: string;
  fields?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  ui?: boolean;
  log?: boolean;
}

interface OptOutsFlags {
  config: string;
  only?: string;
  apply: boolean;
  out?: string;
  links?: string;
}

interface ExportFlags {
  config: string;
  from?: string;
  out?: string;
  format?: string;
  delimiter?: string;
  excel: boolean;
  links?: string;
}

interface MigrateFlags {
  config: string;
  from?: string;
  to?: string;
  links?: string;
  dryRun: boolean;
  concurrency?: string;
}

const SANDBOX_PROVIDERS = ['smspartner', 'callbell', 'notificore'] as const;

/** `--seed-file FILE --provider NAME`, both or neither. */
function sandboxSeed(options: SandboxFlags) {
  if (options.seedFile === undefined && options.provider === undefined) return undefined;
  if (!options.seedFile || !options.provider) {
    throw new UsageError('--seed-file and --provider go together');
  }
  const provider = options.provider as (typeof SANDBOX_PROVIDERS)[number];
  if (!SANDBOX_PROVIDERS.includes(provider)) {
    throw new UsageError(`--provider must be one of ${SANDBOX_PROVIDERS.join(', ')}`);
  }
  return { file: options.seedFile, provider };
}

function splitNames(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

async function push(
  file: string | undefined,
  argumentCount: number,
  flags: PushFlags,
  io: CliIo,
): Promise<number> {
  if (file === undefined || argumentCount !== 1) {
    throw new UsageError('push takes exactly one input file');
  }
  if (flags.account !== undefined && flags.queue === undefined) {
    throw new UsageError('--account goes with --queue (an account is a queue of the workers)');
  }
  if (flags.queue !== undefined) {
    return queuePushCommand({
      file,
      redis: flags.queue,
      name: flags.name,
      ...(flags.account === undefined ? {} : { account: flags.account }),
      out: io.out,
      err: io.err,
      signal: io.signal,
    });
  }
  const concurrency = optionalPositiveInteger('--concurrency', flags.concurrency);
  const config = await loadConfigWithHint(flags.config, io);
  const status = await pushCommand({
    file,
    config,
    only: flags.only
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    dryRun: flags.dryRun,
    diff: flags.diff,
    concurrency,
    links: flags.links,
    report: flags.report,
    rejects: flags.rejects,
    read: {
      ...readOptions(flags.encoding, flags.delimiter),
      ...columnOptions(config.config.columns, flags.column, flags.tagSeparator),
    },
    landlines: flags.refuseLandlines ? 'refuse' : 'warn',
    signal: io.signal,
    out: io.out,
    err: io.err,
    env: io.env,
    progress: { enabled: flags.progress, lineEverySeconds: flags.progressEvery },
  });
  if (io.signal?.aborted && !flags.dryRun) io.err.write(resumeHint(io.argv, flags.links));
  return status;
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `columns` of the config, then each `--column field=header` over it; `--tag-separator`. */
function columnOptions(
  configured: Record<string, string> | undefined,
  flags: readonly string[],
  tagSeparator: string | undefined,
): ReadOptions {
  const columns: Record<string, string> = { ...configured };
  for (const flag of flags) {
    const equals = flag.indexOf('=');
    const field = flag.slice(0, equals).trim();
    const header = flag.slice(equals + 1).trim();
    if (equals === -1 || !field || !header) {
      throw new UsageError(
        `--column ${flag}: expected FIELD=HEADER, e.g. --column phone=Téléphone`,
      );
    }
    columns[field] = header;
  }
  const read: ReadOptions = {};
  if (Object.keys(columns).length) read.columns = columns;
  if (tagSeparator !== undefined) {
    const separators = tagSeparator === 'tab' ? '\t' : tagSeparator;
    if (!separators || /["\r\n]/.test(separators)) {
      throw new UsageError("--tag-separator must be one or more characters, such as ';' or '|'");
    }
    read.tagSeparator = separators;
  }
  return read;
}

/**
 * `--encoding utf8|windows-1252|latin1` and `--delimiter ,|;|tab|<one character>` (default: from
 * the header).
 */
function readOptions(encoding?: string, delimiter?: string): ReadOptions {
  const read: ReadOptions = {};
  if (encoding !== undefined) {
    const name = encoding.toLowerCase().replace(/[-_ ]/g, '');
    if (name === 'utf8') read.encoding = 'utf8';
    else if (['windows1252', 'cp1252', 'win1252'].includes(name)) read.encoding = 'windows-1252';
    else if (name === 'latin1' || name === 'iso88591') read.encoding = 'latin1';
    else throw new UsageError('--encoding must be utf8, windows-1252 or latin1');
  }
  if (delimiter !== undefined) {
    read.delimiter = delimiter === 'tab' || delimiter === '\\t' ? '\t' : delimiter;
    if ([...read.delimiter].length !== 1 || /["\r\n]/.test(read.delimiter)) {
      throw new UsageError('--delimiter must be one character, such as , or ; (or tab)');
    }
  }
  return read;
}

/**
 * What an interrupted push prints: with --links, the same command resumes (the rows already
 * sent are linked and come back `unchanged`); without, a rerun cannot tell what was sent.
 */
export function resumeHint(argv: readonly string[], links: string | undefined): string {
  const { args, renamed } = freshOutputs(argv);
  const command = [NAME, ...args].map(shellQuote).join(' ');
  if (links !== undefined) {
    const kept = renamed.length
      ? ` It writes to ${renamed.map(([flag, path]) => `${flag} ${path}`).join(' and ')}, so the first part's ${renamed.map(([flag]) => flag).join(' and ')} ${renamed.length > 1 ? 'are' : 'is'} kept.`
      : '';
    return `To resume, run ${renamed.length ? 'this' : 'the same'} command: the rows already sent are linked in ${links} and are not created again.${kept}\n  ${command}\n`;
  }
  return (
    'The links were kept in memory only, so a rerun cannot tell which rows were sent and would ' +
    `create them again. Next time add --links PATH to be able to resume:\n  ${command} --links contact-sync.links.jsonl\n`
  );
}

/**
 * The arguments with each `--report` and `--rejects` file replaced by a name not taken yet
 * (`report.ndjson` → `report.part2.ndjson`): rerun with the same names, the resumed run would
 * truncate what the first part wrote.
 */
function freshOutputs(argv: readonly string[]): {
  args: string[];
  renamed: [flag: string, path: string][];
} {
  const args = [...argv];
  const renamed: [string, string][] = [];
  for (const [index, arg] of args.entries()) {
    for (const flag of ['--report', '--rejects']) {
      if (arg === flag && index + 1 < args.length) {
        const next = nextPart(args[index + 1] as string);
        args[index + 1] = next;
        renamed.push([flag, next]);
      } else if (arg.startsWith(`${flag}=`)) {
        const next = nextPart(arg.slice(flag.length + 1));
        args[index] = `${flag}=${next}`;
        renamed.push([flag, next]);
      }
    }
  }
  return { args, renamed };
}

/** `report.ndjson` → `report.part2.ndjson` (or part3… when taken); `report.part2.ndjson` → part3. */
function nextPart(path: string): string {
  const extension = extname(path);
  const stem = path.slice(0, path.length - extension.length).replace(/\.part\d+$/, '');
  const current = Number(
    /\.part(\d+)$/.exec(path.slice(0, path.length - extension.length))?.[1] ?? 1,
  );
  for (let part = current + 1; ; part++) {
    const candidate = `${stem}.part${part}${extension}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/** Quotes an argument for a POSIX shell only when it needs it. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

async function loadConfigWithHint(path: string, io: CliIo) {
  try {
    return await loadConfig(path, io.env, cliLogger(io.env, io.err));
  } catch (error) {
    if (error instanceof ConfigError && !existsSync(path)) {
      throw new MissingConfigError(error.message);
    }
    throw error;
  }
}

/** "See 'contact-sync push --help'." for the command the user typed, if it is one. */
function seeHelp(argv: readonly string[]): string {
  const command = argv[0];
  const known = [
    'push',
    'worker',
    'failed',
    'status',
    'optouts',
    'export',
    'migrate',
    'sandbox',
    'demo',
  ];
  return command && known.includes(command)
    ? `See '${NAME} ${command} --help'.`
    : `See '${NAME} --help'.`;
}

/** The version in contact-sync's package.json: one level up from dist/ and cli/, or further up. */
function packageVersion(): string {
  for (let up = '../'; up.length <= 15; up += '../') {
    try {
      const text = readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8');
      const manifest = JSON.parse(text) as { name?: string; version?: string };
      if (manifest.name === NAME && manifest.version) return manifest.version;
    } catch {
      // Not there: look one level further up.
    }
  }
  return 'unknown';
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!(number > 0)) throw new InvalidArgumentError('expected a number of seconds above 0.');
  return number;
}

function optionalPositiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${flag} must be a whole number ≥ 1`);
  return number;
}

function nonNegativeInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new UsageError(`${flag} must be a whole number ≥ 0`);
  return number;
}
