import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AnyStoreConfig } from '../providers/registry.js';
import { ContactSyncError, invalidConfig } from '../src/errors.js';
import type { SyncPolicy } from '../src/sync/index.js';

/** What an account resolver gives for one account: its vendors and its sync settings. */
export interface AccountConfig {
  /** The account's vendors, as store configurations (as `createSyncWorker`'s `stores`). Required. */
  stores: readonly AnyStoreConfig[];
  /** As ContactSync's `defaultCountry`, for this account. Default: none. */
  defaultCountry?: string;
  /** As ContactSync's `policy`, for this account. Default `'all'`. */
  policy?: SyncPolicy;
}

/**
 * Gives an account's configuration, credentials included, from the caller's own secret store.
 * Called when the account's first job in a while arrives; the stores it describes are kept only
 * until the account has been idle for `accountIdleMs`.
 */
export type AccountResolver = (account: string) => Promise<AccountConfig>;

/** An account name: 1 to 100 letters, digits, `_`, `.` or `-` (no `:`, which separates keys). */
export const ACCOUNT_NAME = /^[\w.-]{1,100}$/;

/** True for a valid account name. */
export function isAccountName(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_NAME.test(value);
}

/** The `invalid_input` / `invalid_config` issue of a bad account name, if it is one. */
export function accountIssue(
  value: unknown,
  path = 'account',
): { path: string; message: string } | undefined {
  return isAccountName(value)
    ? undefined
    : { path, message: 'expected 1 to 100 letters, digits, _ . or - (no :)' };
}

/** BullMQ's prefix of an account's queue: its keys are `<prefix>:<account>:<name>:…`. */
export function accountQueuePrefix(prefix: string, account: string): string {
  return `${prefix}:${account}`;
}

/** The sorted set of accounts that ever had a job enqueued, scored by the last enqueue (epoch ms). */
export function accountsIndexKey(prefix: string, name: string): string {
  return `${prefix}:${name}:accounts`;
}

/** Notes that `account` has new jobs (enqueue, retryFailed): workers find it within a second. */
export async function announceAccount(
  client: Redis,
  prefix: string,
  name: string,
  account: string,
): Promise<void> {
  await client.zadd(accountsIndexKey(prefix, name), Date.now(), account);
}

/** Accounts announced since `since` (epoch ms), or all of them without it. */
export async function announcedAccounts(
  client: Redis,
  prefix: string,
  name: string,
  since?: number,
): Promise<string[]> {
  const key = accountsIndexKey(prefix, name);
  return client.zrangebyscore(key, since === undefined ? '-inf' : String(since), '+inf');
}

/** Which of `accounts` have jobs waiting, delayed, prioritized or active, in one round trip. */
export async function accountsWithWork(
  client: Redis,
  prefix: string,
  name: string,
  accounts: readonly string[],
): Promise<Set<string>> {
  if (!accounts.length) return new Set();
  const pipeline = client.pipeline();
  for (const account of accounts) {
    const base = `${accountQueuePrefix(prefix, account)}:${name}`;
    pipeline.llen(`${base}:wait`);
    pipeline.zcard(`${base}:prioritized`);
    pipeline.zcard(`${base}:delayed`);
    pipeline.llen(`${base}:active`);
    pipeline.llen(`${base}:paused`);
  }
  const results = (await pipeline.exec()) ?? [];
  const busy = new Set<string>();
  accounts.forEach((account, index) => {
    const counts = results.slice(index * 5, index * 5 + 5);
    if (counts.some(([error, value]) => !error && Number(value) > 0)) busy.add(account);
  });
  return busy;
}

/** Option names that hold a credential, in any vendor's configuration. */
const CREDENTIAL_OPTION = /key|token|secret|password|login|user|client|account/i;

/**
 * The id of a store configuration's credential: an HMAC-SHA256 (keyed by `hashKey`) of the
 * vendor, its base URL and every option that holds a credential, in hex (first 32 digits). Two
 * configurations with one key get one id, so one shared rate limit; the credential itself never
 * reaches Redis.
 */
export function credentialId(config: AnyStoreConfig, hashKey: string): string {
  const record = config as unknown as Record<string, unknown>;
  const parts: string[] = [config.provider, String(record.baseUrl ?? '')];
  for (const name of Object.keys(record).sort()) {
    const value = record[name];
    if (CREDENTIAL_OPTION.test(name) && (typeof value === 'string' || typeof value === 'number')) {
      parts.push(`${name}=${value}`);
    }
  }
  return createHmac('sha256', hashKey).update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** The `invalid_config` error of an account whose resolver failed or answered no stores. */
export function accountFailure(account: string, error: unknown): ContactSyncError {
  if (error instanceof ContactSyncError && error.code === 'invalid_config' && error.issues) {
    // A store configuration the factory refused: its issues, already free of secrets.
    return new ContactSyncError({
      code: 'invalid_config',
      operation: 'accounts',
      issues: error.issues.map((issue) => ({
        ...issue,
        path: `accounts(${account}).${issue.path}`,
      })),
      ...(error.provider ? { provider: error.provider } : {}),
      cause: error,
    });
  }
  // A resolver's own error may hold anything: only its name is kept in the message.
  const what = error instanceof Error ? error.name : typeof error;
  return new ContactSyncError({
    code: 'invalid_config',
    operation: 'accounts',
    retryable: false,
    issues: [{ path: `accounts(${account})`, message: `the account resolver failed (${what})` }],
    cause: error instanceof Error ? new Error(error.name) : undefined,
  });
}

/** Checks what a resolver answered: `{ stores: [...] }` at least. */
export function checkAccountConfig(account: string, value: unknown): AccountConfig {
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as AccountConfig).stores)
  ) {
    throw invalidConfig([
      { path: `accounts(${account})`, message: 'expected the resolver to give { stores: [...] }' },
    ]);
  }
  return value as AccountConfig;
}

/**
 * The worker's slots (its `concurrency`), shared by every account and granted in rotation: when
 * several accounts wait, each gets the next free slot in turn, whatever its backlog. One account
 * alone gets them all.
 */
export interface FairSlots {
  /** Resolves when `account` may run one job; rejects if `signal` fires first. */
  acquire(account: string, signal?: AbortSignal): Promise<void>;
  /** Gives a slot back (to the next account in rotation). */
  release(): void;
}

export function createFairSlots(total: number): FairSlots {
  let free = total;
  // Insertion order is the rotation: an account served goes to the end.
  const waiting = new Map<string, (() => void)[]>();
  const grantNext = () => {
    for (const [account, queue] of waiting) {
      const next = queue.shift();
      waiting.delete(account);
      if (queue.length) waiting.set(account, queue);
      if (next) {
        next();
        return true;
      }
    }
    return false;
  };
  return {
    acquire(account, signal) {
      if (free > 0 && waiting.size === 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const queue = waiting.get(account);
          const index = queue?.indexOf(grant) ?? -1;
          if (queue && index >= 0) queue.splice(index, 1);
          if (queue && !queue.length) waiting.delete(account);
          reject(signal?.reason ?? new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const queue = waiting.get(account) ?? [];
        queue.push(grant);
        waiting.set(account, queue);
        if (free > 0) {
          free -= 1;
          if (!grantNext()) free += 1;
        }
      });
    },
    release() {
      if (!grantNext()) free += 1;
    },
  };
}
