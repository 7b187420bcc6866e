import type { ContactStore } from './contact-store.js';

/**
 * Everything the rest of the package knows about one vendor, in one object: its name, where its
 * API lives, the rate and sizes it documents, and the factory of its store. The registry lists
 * these; the queue and the command line read them; nothing else repeats a vendor fact.
 */
export interface ProviderDefinition<Options = never> {
  /** The `provider` of its stores and of `createContactStore` configurations. */
  readonly name: string;
  /** The vendor's https base URL (the default of the `baseUrl` option). */
  readonly baseUrl: string;
  /** The vendor's documented request rate: the default `rateLimit`, and the queue's shared limit. */
  readonly requestsPerSecond?: number | undefined;
  /** Contacts per page of the vendor's list endpoint. */
  readonly pageSize: number;
  /** Contacts per call of the vendor's bulk add, where it has one. */
  readonly bulkSize?: number | undefined;
  /** Builds a store; throws `invalid_config` naming the option when `options` are wrong. */
  create(options: Options): ContactStore;
}

/** Declares a vendor: frozen, so a fact cannot drift at run time. */
export function defineProvider<Options>(
  definition: ProviderDefinition<Options>,
): ProviderDefinition<Options> {
  return Object.freeze({ ...definition });
}
