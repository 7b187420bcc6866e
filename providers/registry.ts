import type { ContactStore } from '../src/contact-store.js';
import { invalidConfig, type ValidationIssue } from '../src/errors.js';
import type { ProviderDefinition } from '../src/provider-definition.js';
import { didYouMean } from '../src/validation.js';
import { type BrevoOptions, brevoProvider } from './brevo/index.js';
import { type CallbellOptions, callbellProvider } from './callbell/index.js';
import { type NotificoreOptions, notificoreProvider } from './notificore/index.js';
import { type SmsPartnerOptions, smsPartnerProvider } from './smspartner/index.js';

export type { ProviderDefinition } from '../src/provider-definition.js';

/** Plain, JSON-able configuration of one store: change it to change vendors, not code. */
export type ContactStoreConfig =
  | ({
      /** Selects SMS Partner. */
      provider: 'smspartner';
    } & SmsPartnerOptions)
  | ({
      /** Selects Callbell. */
      provider: 'callbell';
    } & CallbellOptions)
  | ({
      /** Selects Notificore. */
      provider: 'notificore';
    } & NotificoreOptions)
  | ({
      /** Selects Brevo. */
      provider: 'brevo';
    } & BrevoOptions);

/**
 * The configuration of a store of a vendor defined outside this package (given through
 * `providers`): its `provider` name and the options its factory takes, checked by that factory.
 */
export interface OutsideStoreConfig {
  /** The `name` of a `ProviderDefinition` given in `providers`. */
  provider: string;
  /** The vendor's own options (credentials, …) and the common ones. */
  [option: string]: unknown;
}

/** A store configuration of a shipped vendor or of one given through `providers`. */
export type AnyStoreConfig = ContactStoreConfig | OutsideStoreConfig;

/** Options of {@link createContactStore}. */
export interface CreateContactStoreOptions {
  /**
   * Vendors defined outside this package (`defineProvider` from `contact-sync/provider`): a config
   * then names one by its `name`, as it names a shipped vendor. A name that a shipped vendor has,
   * or that two of them share, is `invalid_config`. Default: none, the shipped vendors only.
   */
  providers?: readonly ProviderDefinition<never>[];
}

/** Every shipped vendor, by name: the one list the root entry, the CLI and the queue read. */
export const providerDefinitions: Readonly<Record<string, ProviderDefinition<never>>> =
  Object.freeze({
    [smsPartnerProvider.name]: smsPartnerProvider as ProviderDefinition<never>,
    [callbellProvider.name]: callbellProvider as ProviderDefinition<never>,
    [notificoreProvider.name]: notificoreProvider as ProviderDefinition<never>,
    [brevoProvider.name]: brevoProvider as ProviderDefinition<never>,
  });

/** The vendors a call knows by name: the shipped ones and those it was given. */
export type ProviderRegistry = Readonly<Record<string, ProviderDefinition<never>>>;

/** A vendor's name: lower case letters, digits and `-`/`_`, starting with a letter. */
const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** What {@link isProviderName} asks, for an error message. */
export const PROVIDER_NAME_RULE =
  'expected a vendor name of lower case letters, digits, - or _ (e.g. "kontakto")';

/** A usable vendor name: it is a config's `provider`, a sandbox URL prefix, a Redis key part. */
export function isProviderName(name: unknown): name is string {
  return typeof name === 'string' && PROVIDER_NAME.test(name);
}

/**
 * The problem with a value given as a `ProviderDefinition`, or `undefined` when it is one. Checked
 * field by field so an outside author reads which one is wrong (`path` below the definition).
 */
export function providerDefinitionIssue(value: unknown): ValidationIssue | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { path: '', message: 'expected a ProviderDefinition (see defineProvider)' };
  }
  const definition = value as Partial<Record<keyof ProviderDefinition, unknown>>;
  if (!isProviderName(definition.name)) return { path: 'name', message: PROVIDER_NAME_RULE };
  if (typeof definition.create !== 'function') {
    return { path: 'create', message: 'expected the factory of the store, a function' };
  }
  if (typeof definition.baseUrl !== 'string' || !URL.canParse(definition.baseUrl)) {
    return { path: 'baseUrl', message: "expected the vendor's base URL" };
  }
  if (!Number.isInteger(definition.pageSize) || (definition.pageSize as number) < 1) {
    return { path: 'pageSize', message: 'expected a whole number ≥ 1' };
  }
  for (const key of ['requestsPerSecond', 'bulkSize'] as const) {
    const given = definition[key];
    if (given !== undefined && !(typeof given === 'number' && given > 0 && given < Infinity)) {
      return { path: key, message: 'expected a number above 0, or nothing' };
    }
  }
  return undefined;
}

/**
 * The shipped vendors plus `providers`, by name. Throws `invalid_config` naming
 * `<path>[i].<field>` for a value that is not a definition, a name a shipped vendor has, or a
 * name given twice.
 */
export function resolveProviders(providers: unknown, path = 'providers'): ProviderRegistry {
  if (providers === undefined) return providerDefinitions;
  if (!Array.isArray(providers)) {
    throw invalidConfig([{ path, message: 'expected an array of ProviderDefinition' }]);
  }
  const registry: Record<string, ProviderDefinition<never>> = { ...providerDefinitions };
  providers.forEach((definition: unknown, index) => {
    const at = `${path}[${index}]`;
    const issue = providerDefinitionIssue(definition);
    if (issue) {
      throw invalidConfig([
        { path: issue.path ? `${at}.${issue.path}` : at, message: issue.message },
      ]);
    }
    const { name } = definition as ProviderDefinition<never>;
    if (Object.hasOwn(providerDefinitions, name)) {
      throw invalidConfig([
        {
          path: `${at}.name`,
          message: `'${name}' is a vendor this package ships; give yours another name`,
        },
      ]);
    }
    if (Object.hasOwn(registry, name)) {
      throw invalidConfig([{ path: `${at}.name`, message: `'${name}' is given twice` }]);
    }
    registry[name] = definition as ProviderDefinition<never>;
  });
  return Object.freeze(registry);
}

/** The definition of a vendor of `registry` (default: the shipped ones), or `undefined`. */
export function providerDefinition(
  name: unknown,
  registry: ProviderRegistry = providerDefinitions,
): ProviderDefinition<never> | undefined {
  return typeof name === 'string' && Object.hasOwn(registry, name) ? registry[name] : undefined;
}

/** The vendor's documented request rate, or `undefined` when it publishes none. */
export function documentedRequestsPerSecond(
  provider: string,
  registry: ProviderRegistry = providerDefinitions,
): number | undefined {
  return providerDefinition(provider, registry)?.requestsPerSecond;
}

/**
 * Builds the store that `config.provider` names: a shipped vendor, or one of
 * `options.providers`. Throws `invalid_config` naming the option when the configuration is
 * incomplete or wrong (or `providers[i].<field>` for a bad definition); sends nothing.
 */
export function createContactStore(config: ContactStoreConfig): ContactStore;
export function createContactStore(
  config: AnyStoreConfig,
  options: CreateContactStoreOptions,
): ContactStore;
export function createContactStore(
  config: AnyStoreConfig,
  options: CreateContactStoreOptions = {},
): ContactStore {
  const registry = resolveProviders(
    typeof options === 'object' && options !== null ? options.providers : undefined,
  );
  return createFromRegistry(config, registry);
}

/** {@link createContactStore} over a registry already resolved (the queue builds many stores). */
export function createFromRegistry(config: unknown, registry: ProviderRegistry): ContactStore {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw invalidConfig([{ path: '', message: 'expected a configuration object' }]);
  }
  let provider: unknown;
  let options: Record<string, unknown>;
  try {
    ({ provider, ...options } = config as Record<string, unknown>);
  } catch {
    // A getter or a proxy trap of the caller's object threw while it was read.
    throw invalidConfig([{ path: '', message: 'could not be read (a getter or proxy threw)' }]);
  }
  const definition = providerDefinition(provider, registry);
  if (!definition) {
    const names = Object.keys(registry);
    const near = typeof provider === 'string' ? didYouMean(provider, names) : undefined;
    const outside = names.length > Object.keys(providerDefinitions).length;
    throw invalidConfig([
      {
        path: 'provider',
        message: `expected one of ${names.map((name) => `'${name}'`).join(', ')}${
          near ? ` (did you mean '${near}'?)` : ''
        }${outside ? '' : ' (or a vendor of your own, given in providers)'}`,
      },
    ]);
  }
  return definition.create(options as never);
}
