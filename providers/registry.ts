import type { ContactStore } from '../src/contact-store.js';
import { invalidConfig } from '../src/errors.js';
import type { ProviderDefinition } from '../src/provider-definition.js';
import { didYouMean } from '../src/validation.js';
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
    } & NotificoreOptions);

/** Every shipped vendor, by name: the one list the root entry, the CLI and the queue read. */
export const providerDefinitions: Readonly<Record<string, ProviderDefinition<never>>> =
  Object.freeze({
    [smsPartnerProvider.name]: smsPartnerProvider as ProviderDefinition<never>,
    [callbellProvider.name]: callbellProvider as ProviderDefinition<never>,
    [notificoreProvider.name]: notificoreProvider as ProviderDefinition<never>,
  });

/** The definition of a shipped vendor, or `undefined` for any other name. */
export function providerDefinition(name: unknown): ProviderDefinition<never> | undefined {
  return typeof name === 'string' && Object.hasOwn(providerDefinitions, name)
    ? providerDefinitions[name]
    : undefined;
}

/** The vendor's documented request rate, or `undefined` when it publishes none. */
export function documentedRequestsPerSecond(provider: string): number | undefined {
  return providerDefinition(provider)?.requestsPerSecond;
}

/**
 * Builds the store that `config.provider` names. Throws `invalid_config` naming the option when
 * the configuration is incomplete or wrong; sends nothing.
 */
export function createContactStore(config: ContactStoreConfig): ContactStore {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw invalidConfig([{ path: '', message: 'expected a configuration object' }]);
  }
  let provider: unknown;
  let options: Record<string, unknown>;
  try {
    ({ provider, ...options } = config as unknown as Record<string, unknown>);
  } catch {
    // A getter or a proxy trap of the caller's object threw while it was read.
    throw invalidConfig([{ path: '', message: 'could not be read (a getter or proxy threw)' }]);
  }
  const definition = providerDefinition(provider);
  if (!definition) {
    const names = Object.keys(providerDefinitions);
    const near = typeof provider === 'string' ? didYouMean(provider, names) : undefined;
    throw invalidConfig([
      {
        path: 'provider',
        message: `expected one of ${names.map((name) => `'${name}'`).join(', ')}${
          near ? ` (did you mean '${near}'?)` : ''
        }`,
      },
    ]);
  }
  return definition.create(options as never);
}
