import type { Redis } from 'ioredis';
import { describeRedis, type QueueConnection } from './connection.js';

/** Policies under which Redis deletes keys when full: jobs and links would vanish. */
const SAFE_POLICIES = new Set(['noeviction']);

/** What a Redis set-up can lose, as warnings (none when it persists and never evicts). */
export async function durabilityWarnings(
  client: Redis,
  connection: QueueConnection,
): Promise<string[]> {
  let settings: Record<string, string>;
  try {
    const answer = (await client.call(
      'CONFIG',
      'GET',
      'appendonly',
      'save',
      'maxmemory-policy',
    )) as string[];
    settings = {};
    for (let index = 0; index + 1 < answer.length; index += 2) {
      settings[answer[index] as string] = answer[index + 1] as string;
    }
  } catch {
    // CONFIG is often disabled on managed Redis: nothing to say then.
    return [];
  }
  const where = describeRedis(connection);
  const warnings: string[] = [];
  if (settings.appendonly === 'no' && (settings.save ?? '').trim() === '') {
    warnings.push(
      `[contact-sync] Redis at ${where} persists nothing (appendonly no, no RDB save): a restart ` +
        'of Redis loses every waiting and failed job, the links and the rate limits, and the ' +
        'queue then looks finished. Run it with appendonly yes (see docs/scale-out.md).',
    );
  }
  const policy = settings['maxmemory-policy'];
  if (policy && !SAFE_POLICIES.has(policy)) {
    warnings.push(
      `[contact-sync] Redis at ${where} has maxmemory-policy ${policy}: when full it deletes ` +
        'keys, so jobs and links can vanish. Use maxmemory-policy noeviction (see docs/scale-out.md).',
    );
  }
  return warnings;
}

/**
 * Says what this Redis can lose, if anything. `warn` defaults to `process.emitWarning`, which
 * Node prints on stderr.
 */
export async function warnAboutDurability(
  client: Redis,
  connection: QueueConnection,
  warn: ((message: string) => void) | undefined,
): Promise<void> {
  for (const message of await durabilityWarnings(client, connection)) {
    try {
      if (warn) warn(message);
      else process.emitWarning(message, { code: 'CONTACT_SYNC_REDIS_DURABILITY' });
    } catch {
      // A failing callback must not stop the queue.
    }
  }
}
