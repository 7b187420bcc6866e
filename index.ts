/**
 * The package's root entry (`contact-sync`): the composition root. It joins the neutral core
 * (`src/`, which names no vendor) and the vendor registry (`providers/`), the only place where
 * both meet.
 */

// The vendors' options, which `ContactStoreConfig` names (also exported by each vendor's entry).
export type { BrevoOptions } from './providers/brevo/index.js';
export type { CallbellOptions } from './providers/callbell/index.js';
export type { NotificoreOptions } from './providers/notificore/index.js';
export {
  type AnyStoreConfig,
  type ContactStoreConfig,
  type CreateContactStoreOptions,
  createContactStore,
  type OutsideStoreConfig,
  type ProviderDefinition,
  providerDefinitions,
} from './providers/registry.js';
export type { SmsPartnerOptions } from './providers/smspartner/index.js';
export * from './src/index.js';
