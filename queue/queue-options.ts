import { invalidConfig, type ValidationIssue } from '../src/errors.js';
import { connectionIssue } from './connection.js';

/** BullMQ's key prefix for the queues: `contact-sync:queue:<name>:…`. */
export const DEFAULT_QUEUE_PREFIX = 'contact-sync:queue';

/** Options every queue-side factory shares. */
export interface QueueIdentity {
  /** Prefix of BullMQ's Redis keys. Default `contact-sync:queue`. */
  prefix?: string;
}

export function positiveInteger(value: unknown, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max;
}

export function nonNegativeInteger(value: unknown, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

/**
 * Checks the options of `createSyncQueue` / `createSyncWorker`: unknown names, `connection`,
 * `name`, `prefix`, then the caller's own `checks` (option → problem, if any). Throws
 * `invalid_config` naming each bad option.
 */
export function checkQueueOptions(
  options: unknown,
  known: readonly string[],
  checks: Record<string, (value: unknown) => string | undefined>,
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidConfig([
      { path: 'options', message: 'expected an object with connection and name' },
    ]);
  }
  const record = options as Record<string, unknown>;
  const allowed = new Set(['connection', 'name', 'prefix', ...known]);
  const issues: ValidationIssue[] = Object.keys(record)
    .filter((name) => !allowed.has(name))
    .map((name) => ({ path: name, message: 'unknown option' }));
  const connection = connectionIssue(record.connection);
  if (connection) issues.push(connection);
  const { name, prefix } = record;
  if (typeof name !== 'string' || !/^[\w.-]{1,100}$/.test(name)) {
    issues.push({ path: 'name', message: 'expected 1 to 100 letters, digits, _ . or -' });
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix.trim() === '')) {
    issues.push({ path: 'prefix', message: 'expected a non-empty string' });
  }
  for (const [path, check] of Object.entries(checks)) {
    if (record[path] === undefined) continue;
    const message = check(record[path]);
    if (message) issues.push({ path, message });
  }
  if (issues.length) throw invalidConfig(issues);
}
