import * as v from 'valibot';
import { checkedWritesOf } from '../checked-writes.js';
import type { ContactStore } from '../contact-store.js';
import { invalidConfig, type ValidationIssue } from '../errors.js';
import { type Logger, loggerSchema } from '../logger.js';
import { isCountryCode } from '../phone.js';
import { assertLinkStore, type LinkStore } from './link-store.js';
import { memoryLinkStore } from './memory-link-store.js';
import { createPhoneLocks, type PhoneLocks } from './phone-locks.js';
import { secretSource } from './sync-state.js';
import type { ContactSyncOptions, SharedPhones, SyncPolicy } from './sync-types.js';
import { createUpsertBatcher, type UpsertBatcher } from './upsert-batcher.js';

export interface SyncSettings {
  stores: readonly ContactStore[];
  links: LinkStore;
  policy: SyncPolicy;
  defaultCountry?: string;
  sharedPhones: SharedPhones;
  /** One writer per phone and store while a record without a link is written. */
  phoneLocks: PhoneLocks;
  /** The stores that create in bulk (`upsertMany`), each with its batcher. */
  batchers: ReadonlyMap<ContactStore, UpsertBatcher>;
  logger?: Logger;
  /** The secret keying fingerprints and tombstones: `tombstoneSecret`, else the link store's. */
  secret: () => Promise<string | undefined>;
}

const OPTION_NAMES = new Set([
  'stores',
  'links',
  'policy',
  'defaultCountry',
  'sharedPhones',
  'logger',
  'tombstoneSecret',
]);
const STORE_METHODS = [
  'create',
  'update',
  'get',
  'findByPhone',
  'delete',
  'list',
  'upsert',
  'preview',
] as const;

/** Checks `createContactSync` options; throws `invalid_config` naming each bad option. */
export function parseSyncOptions(options: ContactSyncOptions): SyncSettings {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig([{ path: 'options', message: 'expected an object with stores' }]);
  }
  const issues: ValidationIssue[] = Object.keys(options)
    .filter((name) => !OPTION_NAMES.has(name))
    .map((name) => ({ path: name, message: 'unknown option' }));
  issues.push(...storeIssues(options.stores));
  const { policy = 'all', defaultCountry, sharedPhones = 'conflict' } = options;
  if (policy !== 'all' && policy !== 'primary') {
    issues.push({ path: 'policy', message: "expected 'all' or 'primary'" });
  }
  if (sharedPhones !== 'conflict' && sharedPhones !== 'link') {
    issues.push({ path: 'sharedPhones', message: "expected 'conflict' or 'link'" });
  }
  if (
    defaultCountry !== undefined &&
    (typeof defaultCountry !== 'string' || !isCountryCode(defaultCountry))
  ) {
    issues.push({ path: 'defaultCountry', message: "expected an ISO 3166 alpha-2 code like 'FR'" });
  }
  if (options.logger !== undefined && !v.is(loggerSchema, options.logger)) {
    issues.push({
      path: 'logger',
      message: 'expected a logger with debug, info, warn or error (pino, say)',
    });
  }
  const { tombstoneSecret } = options;
  if (
    tombstoneSecret !== undefined &&
    (typeof tombstoneSecret !== 'string' || tombstoneSecret.length < 16)
  ) {
    issues.push({
      path: 'tombstoneSecret',
      message: 'expected a string of at least 16 characters',
    });
  }
  if (issues.length) throw invalidConfig(issues);
  const links = options.links ?? memoryLinkStore();
  assertLinkStore(links, 'links');
  const stored = secretSource(links);
  return {
    stores: [...options.stores],
    links,
    policy,
    defaultCountry,
    sharedPhones,
    phoneLocks: createPhoneLocks(),
    batchers: batchersOf(options.stores),
    secret: tombstoneSecret === undefined ? stored : async () => tombstoneSecret,
    ...(options.logger ? { logger: options.logger } : {}),
  };
}

function storeIssues(stores: unknown): ValidationIssue[] {
  if (!Array.isArray(stores) || stores.length === 0) {
    return [{ path: 'stores', message: 'expected a non-empty array of ContactStores' }];
  }
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const [index, store] of stores.entries()) {
    const problem = storeProblem(store);
    if (problem) {
      issues.push({ path: `stores.${index}`, message: problem });
      continue;
    }
    const { provider } = store as ContactStore;
    if (seen.has(provider)) {
      issues.push({
        path: `stores.${index}.provider`,
        message: `another store already uses the provider name '${provider}'; links are kept by provider name, so give each store a distinct one`,
      });
    }
    seen.add(provider);
  }
  return issues;
}

function storeProblem(store: unknown): string | undefined {
  if (typeof store !== 'object' || store === null) return 'expected a ContactStore';
  const candidate = store as Record<string, unknown>;
  if (typeof candidate.provider !== 'string' || candidate.provider.trim() === '') {
    return 'expected a ContactStore with a non-empty provider name';
  }
  const missing = STORE_METHODS.filter((name) => typeof candidate[name] !== 'function');
  if (missing.length) return `expected a ContactStore (missing ${missing.join(', ')})`;
  if (typeof candidate.capabilities !== 'object' || candidate.capabilities === null) {
    return 'expected a ContactStore (missing capabilities)';
  }
  return undefined;
}

/** A batcher for each store that declares `upsertMany` and has it (its checked entry first). */
function batchersOf(stores: readonly ContactStore[]): Map<ContactStore, UpsertBatcher> {
  const batchers = new Map<ContactStore, UpsertBatcher>();
  for (const store of stores) {
    if (store.capabilities.upsertMany !== 'native') continue;
    const checked = checkedWritesOf(store)?.upsertMany;
    const own = store.upsertMany;
    if (checked) batchers.set(store, createUpsertBatcher(store.provider, checked));
    else if (typeof own === 'function') {
      batchers.set(
        store,
        createUpsertBatcher(store.provider, (inputs, options) =>
          own.call(store, structuredClone(inputs), options),
        ),
      );
    }
  }
  return batchers;
}
