import { readFile } from 'node:fs/promises';
import {
  type AnyStoreConfig,
  createContactStore,
  type ProviderDefinition,
} from '../providers/registry.js';
import { MAPPABLE_FIELDS } from '../src/contact.js';
import type { ContactStore } from '../src/contact-store.js';
import { isContactSyncError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { isAllowedBaseUrl } from '../src/options.js';
import { isCountryCode } from '../src/phone.js';
import { didYouMean, isReservedKey } from '../src/validation.js';
import { jsonErrorPosition } from './json-position.js';
import { loadProviderModules } from './provider-modules.js';

/** The command line's configuration file. */
export interface CliConfig {
  stores: AnyStoreConfig[];
  /**
   * The vendors loaded from the file's `"providers"` modules (defined outside this package), for
   * the commands that build stores again (the queue worker).
   */
  providers?: ProviderDefinition<never>[];
  /** Applied to every store that has no `defaultCountry` of its own. */
  defaultCountry?: string;
  /**
   * Which CSV column holds which field, `{ "phone": "Téléphone", "key": "Code client" }`: read by
   * `push` (each `--column FIELD=HEADER` adds to it). A name that is no contact field renames a
   * custom field.
   */
  columns?: Record<string, string>;
}

const TOP_LEVEL_KEYS = ['stores', 'providers', 'defaultCountry', 'columns'];

/** A configuration file that cannot be used (exit status 2, nothing sent). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const SECRET_OPTIONS = new Set(['apiKey', 'apiToken']);
/** A placeholder is a whole value: `"${NAME}"`, never `"prefix${NAME}"`. */
const PLACEHOLDER = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Reads and checks a configuration file: `${NAME}` placeholders filled from `env`, secrets only
 * from the environment (except for a loopback sandbox), every store built. Errors name the file,
 * the field and what was expected, never a secret's value.
 */
export async function loadConfig(
  path: string,
  env: Record<string, string | undefined> = process.env,
  logger?: Logger,
): Promise<{ config: CliConfig; stores: ContactStore[] }> {
  const fail = (field: string, message: string) =>
    new ConfigError(`config file ${path}: ${field ? `${field}: ` : ''}${message}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fail('', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, which may be a literal secret: name the place.
    const { line, column } = jsonErrorPosition(text);
    throw fail('', `is not valid JSON (line ${line}, column ${column})`);
  }
  return checkConfig(parsed, path, env, logger);
}

/**
 * Checks a parsed configuration object as `loadConfig` does a file's (placeholders, secrets,
 * every store built). `path` is the file (its `"providers"` modules are relative to it); `label`
 * names it in errors (`accounts.json, account acme`). Default: the path.
 */
export async function checkConfig(
  parsed: unknown,
  path: string,
  env: Record<string, string | undefined> = process.env,
  logger?: Logger,
  label = path,
): Promise<{ config: CliConfig; stores: ContactStore[] }> {
  const fail = (field: string, message: string) =>
    new ConfigError(`config file ${label}: ${field ? `${field}: ` : ''}${message}`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('', 'expected a JSON object { "stores": [...], "defaultCountry": "FR" }');
  }
  const { stores, providers, defaultCountry, columns, ...unknown } = parsed as Record<
    string,
    unknown
  >;
  const extra = Object.keys(unknown)[0];
  if (extra) {
    const near = didYouMean(extra, TOP_LEVEL_KEYS);
    throw fail(
      extra,
      `unknown key (${near ? `did you mean ${near}? ` : ''}expected ${TOP_LEVEL_KEYS.join(', ')})`,
    );
  }
  checkColumns(columns, fail);
  if (!Array.isArray(stores) || stores.length === 0) {
    throw fail('stores', 'expected a non-empty array of store configurations');
  }
  if (
    defaultCountry !== undefined &&
    (typeof defaultCountry !== 'string' || !isCountryCode(defaultCountry))
  ) {
    throw fail('defaultCountry', 'expected an ISO 3166 alpha-2 country code such as "FR"');
  }
  // Before the stores: a store names its vendor by a definition these modules export.
  const definitions = await loadProviderModules(providers, path, fail);
  // Every placeholder first: all the unset variables are named at once, not one per run.
  const unset: { name: string; field: string }[] = [];
  const fills = stores.map((store, index) => {
    const field = `stores[${index}]`;
    if (typeof store !== 'object' || store === null || Array.isArray(store)) {
      throw fail(field, 'expected an object with a "provider"');
    }
    return fillPlaceholders(
      store as Record<string, unknown>,
      env,
      (key, message) => fail(`${field}.${key}`, message),
      (key, name) => unset.push({ name, field: `${field}.${key}` }),
    );
  });
  const [first] = unset;
  if (first && unset.length === 1) {
    throw fail(first.field, `environment variable ${first.name} is not set`);
  }
  if (first) {
    const names = [...new Set(unset.map((item) => item.name))];
    const where = unset.map((item) => `${item.field} ← ${item.name}`).join(', ');
    throw fail(
      '',
      `environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not set (${where})`,
    );
  }
  const built = stores.map((store, index) => {
    const field = `stores[${index}]`;
    const filled = fills[index] as Record<string, unknown>;
    const config = {
      defaultCountry,
      ...(logger ? { logger } : {}),
      ...filled,
    } as AnyStoreConfig;
    let built: ContactStore;
    try {
      // Built first, so an unknown provider or a missing option is named before a secret's form.
      built = createContactStore(config, { providers: definitions });
    } catch (error) {
      if (!isContactSyncError(error)) throw error;
      const issue = error.issues?.[0];
      throw fail(issue?.path ? `${field}.${issue.path}` : field, issue?.message ?? error.message);
    }
    for (const option of SECRET_OPTIONS) {
      const raw = (store as Record<string, unknown>)[option];
      const local = typeof filled.baseUrl === 'string' && isLoopback(filled.baseUrl);
      if (typeof raw === 'string' && !PLACEHOLDER.test(raw) && !local) {
        throw fail(
          `${field}.${option}`,
          `write it as "$\{VARIABLE}": secrets are read from the environment, not from the file ` +
            '(a literal is accepted only with a loopback sandbox baseUrl)',
        );
      }
    }
    return { config, store: built };
  });
  return {
    config: {
      stores: built.map((item) => item.config),
      ...(definitions.length ? { providers: definitions } : {}),
      defaultCountry,
      ...(columns ? { columns: columns as Record<string, string> } : {}),
    },
    stores: built.map((item) => item.store),
  };
}

/** `columns`: an object of field → header, both non-empty strings. */
function checkColumns(columns: unknown, fail: (field: string, message: string) => Error): void {
  if (columns === undefined) return;
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
    throw fail(
      'columns',
      'expected an object of field → CSV header, e.g. { "phone": "Téléphone" }',
    );
  }
  const fields = ['key', 'phone', ...MAPPABLE_FIELDS, 'tags', 'assignedUser'];
  for (const [field, header] of Object.entries(columns)) {
    if (isReservedKey(field)) throw fail(`columns.${field}`, 'reserved name, not a field');
    if (typeof header !== 'string' || !header.trim()) {
      throw fail(`columns.${field}`, 'expected the CSV header of that column (a non-empty string)');
    }
    // A near miss of a contact field is a typo, not a custom field of that name.
    const near = fields.includes(field) ? undefined : didYouMean(field, fields);
    if (near) throw fail(`columns.${field}`, `not a contact field: did you mean ${near}?`);
  }
}

function fillPlaceholders(
  value: Record<string, unknown>,
  env: Record<string, string | undefined>,
  fail: (key: string, message: string) => Error,
  onUnset: (key: string, name: string) => void,
  prefix = '',
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    // JSON.parse keeps "__proto__" as an own key; copied by assignment it would set the copy's
    // prototype and vanish without a word instead of failing as an unknown option.
    if (isReservedKey(key)) throw fail(path, 'reserved name, not an option');
    if (typeof item === 'string') {
      result[key] = filled(
        item,
        env,
        (message) => fail(path, message),
        (name) => onUnset(path, name),
      );
    } else if (item && typeof item === 'object' && !Array.isArray(item)) {
      result[key] = fillPlaceholders(item as Record<string, unknown>, env, fail, onUnset, path);
    } else {
      result[key] = item;
    }
  }
  return result;
}

/**
 * `"${NAME}"` → the variable's value. A `${` anywhere else is refused rather than passed on as
 * text: `"Literal${X}"` would otherwise look like a value from the environment while half of it
 * is written in the file. The value itself is never quoted.
 */
function filled(
  value: string,
  env: Record<string, string | undefined>,
  fail: (message: string) => Error,
  onUnset: (name: string) => void,
): string {
  const name = PLACEHOLDER.exec(value)?.[1];
  if (name === undefined) {
    if (value.includes('${')) {
      throw fail(
        `a placeholder must be the whole value, as "$\{NAME}" (nothing before or after it)`,
      );
    }
    return value;
  }
  const variable = env[name];
  if (variable === undefined || variable === '') {
    onUnset(name);
    return '';
  }
  return variable;
}

function isLoopback(url: string): boolean {
  return isAllowedBaseUrl(url) && url.startsWith('http://');
}
