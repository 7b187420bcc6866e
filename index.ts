/**
 * The package's root entry (`contact-sync`): the composition root. It joins the neutral core
 * (`src/`, which names no vendor) and the vendor registry (`providers/`), the only place where
 * both meet.
 */

export {
  type AnyStoreConfig,
  type ContactStoreConfig,
  type CreateContactStoreOptions,
  createContactStore,
  type OutsideStoreConfig,
  type ProviderDefinition,
  providerDefinitions,
} from './providers/registry.js';
export * from './src/index.js';
