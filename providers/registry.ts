import type { ContactStore } from '../src/contact-store.js';
import { invalidConfig } from '../src/errors.js';
import {
  CALLBELL_REQUESTS_PER_SECOND,
  type CallbellOptions,
  createCallbellContactStore,
} from './callbell/index.js';
import { createNotificoreContactStore, type NotificoreOptions } from './notificore/index.js';
import { createSmsPartnerContactStore, type SmsPartnerOptions } from './smspartner/index.js';

/** Plain, JSON-able configuration of one store: change it to change vendors, not code. */
export type ContactStoreConfig =
  | ({ provider: 'smspartner' } & SmsPartnerOptions)
  | ({ provider: 'callbell' } & CallbellOptions)
  | ({ provider: 'notificore' } & NotificoreOptions);

const FACTORIES: Record<string, (options: never) => ContactStore> = {
  smspartner: createSmsPartnerContactStore,
  callbell: createCallbellContactStore,
  notificore: createNotificoreContactStore,
};

/**
 * Each vendor's documented request rate, the default of its `rateLimit` (vendors without one
 * have none). Shared limiters (the queue's workers) start from it too.
 */
const DOCUMENTED_REQUESTS_PER_SECOND: Record<string, number> = {
  callbell: CALLBELL_REQUESTS_PER_SECOND,
};

/** The vendor's documented request rate, or `undefined` when it publishes none. */
export function documentedRequestsPerSecond(provider: string): number | undefined {
  return Object.hasOwn(DOCUMENTED_REQUESTS_PER_SECOND, provider)
    ? DOCUMENTED_REQUESTS_PER_SECOND[provider]
    : undefined;
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
  const factory =
    typeof provider === 'string' && Object.hasOwn(FACTORIES, provider)
      ? FACTORIES[provider]
      : undefined;
  if (!factory) {
    throw invalidConfig([
      {
        path: 'provider',
        message: `expected one of ${Object.keys(FACTORIES)
          .map((name) => `'${name}'`)
          .join(', ')}`,
      },
    ]);
  }
  return factory(options as never);
}
