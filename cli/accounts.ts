import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AccountResolver } from '../queue/accounts.js';
import { invalidConfig, isContactSyncError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { type CliConfig, ConfigError, checkConfig } from './config.js';
import { jsonErrorPosition } from './json-position.js';

/** What `worker --accounts` runs with: the resolver, and the outside vendors it may name. */
export interface CliAccounts {
  resolver: AccountResolver;
  providers?: CliConfig['providers'];
  /** The accounts a JSON file names (none for a module). */
  names: string[];
}

const ACCOUNT = /^[\w.-]{1,100}$/;

/**
 * `--accounts FILE|MODULE`. A JSON file `{ "<account>": { "stores": [...], "defaultCountry"?,
 * "providers"? }, … }`: every account is checked now as a config file is (placeholders, secrets
 * from the environment), and read again from the file each time the worker resolves it, so no
 * credential outlives the worker's idle timeout. A module (.js, .mjs, .cjs): its export
 * `accounts` (or default export) is the resolver itself.
 */
export async function loadAccounts(
  path: string,
  env: Record<string, string | undefined>,
  logger?: Logger,
): Promise<CliAccounts> {
  if (['.js', '.mjs', '.cjs'].includes(extname(path))) return loadModule(path);
  const all = await readAccounts(path);
  const names = Object.keys(all);
  let providers: CliConfig['providers'];
  for (const name of names) {
    const { config } = await checkConfig(all[name], path, env, logger, `${path}, account ${name}`);
    providers ??= config.providers;
  }
  const resolver: AccountResolver = async (account) => {
    try {
      const fresh = await readAccounts(path);
      if (!Object.hasOwn(fresh, account)) {
        throw new ConfigError(`${path} has no account '${account}'`);
      }
      const { config } = await checkConfig(
        fresh[account],
        path,
        env,
        logger,
        `${path}, account ${account}`,
      );
      return {
        stores: config.stores,
        ...(config.defaultCountry ? { defaultCountry: config.defaultCountry } : {}),
      };
    } catch (error) {
      // A config error names the file and the field, never a secret: keep it for failed().
      if (error instanceof ConfigError) {
        throw invalidConfig([{ path: `accounts.${account}`, message: error.message }]);
      }
      throw error;
    }
  };
  return { resolver, names, ...(providers ? { providers } : {}) };
}

async function readAccounts(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--accounts ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const { line, column } = jsonErrorPosition(text);
    throw new ConfigError(`--accounts ${path}: is not valid JSON (line ${line}, column ${column})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      `--accounts ${path}: expected a JSON object { "<account>": { "stores": [...] }, … }`,
    );
  }
  const bad = Object.keys(parsed).find((name) => !ACCOUNT.test(name));
  if (bad !== undefined) {
    throw new ConfigError(
      `--accounts ${path}: account names are 1 to 100 letters, digits, _ . or - (not '${bad.slice(0, 40)}')`,
    );
  }
  if (!Object.keys(parsed).length) throw new ConfigError(`--accounts ${path}: no accounts`);
  return parsed as Record<string, unknown>;
}

async function loadModule(path: string): Promise<CliAccounts> {
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    const why = isContactSyncError(error) ? error.message : (error as Error).name;
    throw new ConfigError(`--accounts ${path}: cannot be loaded (${why})`);
  }
  const resolver = loaded.accounts ?? loaded.default;
  if (typeof resolver !== 'function') {
    throw new ConfigError(
      `--accounts ${path}: expected the module to export "accounts" (or a default export): async (account) => ({ stores })`,
    );
  }
  return { resolver: resolver as AccountResolver, names: [] };
}
