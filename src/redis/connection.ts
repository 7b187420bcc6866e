import type { Redis, RedisOptions } from 'ioredis';
import { ContactSyncError, invalidConfig, type ValidationIssue } from '../errors.js';

/**
 * Where Redis is: a URL (`redis://user:pass@host:6379/0`, `rediss://…` for TLS,
 * `unix:///path/to/redis.sock?db=0`), or ioredis options (`{ host, port, password, db, tls, … }`,
 * or `{ url, … }`: the URL's parts, then the other options).
 */
export type RedisConnection =
  | string
  | (RedisOptions & {
      /**
       * A Redis URL: its parts (host, port, credentials, db, TLS) first, then the other
       * options over them.
       */
      url?: string;
    });

/** Waits for a connection to Redis, in ms, unless the options say `connectTimeout`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Waits for any one command's answer, in ms, unless the options say `commandTimeout`. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

const SCHEMES = new Set(['redis:', 'rediss:', 'unix:']);

/**
 * The `invalid_config` issue of a Redis connection option, if any: a URL whose scheme is not
 * `redis://`, `rediss://` or `unix://`, a database index that is not a whole number, or
 * something that is neither a URL nor an options object.
 */
export function redisConnectionIssue(
  connection: unknown,
  path = 'connection',
): ValidationIssue | undefined {
  if (typeof connection === 'string') return urlIssue(connection, path);
  if (typeof connection !== 'object' || connection === null || Array.isArray(connection)) {
    return {
      path,
      message: 'expected a Redis URL (redis://, rediss:// or unix://) or ioredis options',
    };
  }
  const { url, db } = connection as { url?: unknown; db?: unknown };
  if (url !== undefined) {
    const issue = typeof url === 'string' ? urlIssue(url, `${path}.url`) : undefined;
    if (typeof url !== 'string') return { path: `${path}.url`, message: 'expected a Redis URL' };
    if (issue) return issue;
  }
  if (db !== undefined && !(Number.isInteger(db) && (db as number) >= 0)) {
    return { path: `${path}.db`, message: 'expected a database index: a whole number ≥ 0' };
  }
  return undefined;
}

function urlIssue(url: string, path: string): ValidationIssue | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return {
      path,
      message: 'expected a Redis URL: redis://host:6379/0, rediss://… or unix:///path',
    };
  }
  if (!SCHEMES.has(parsed.protocol)) {
    return {
      path,
      message: `a Redis URL starts with redis://, rediss:// or unix://, not ${parsed.protocol}//`,
    };
  }
  if (parsed.protocol === 'unix:') {
    if (!parsed.pathname || parsed.pathname === '/') {
      return { path, message: 'expected unix:///path/to/redis.sock' };
    }
    const db = parsed.searchParams.get('db');
    if (db !== null && !/^\d+$/.test(db)) {
      return { path, message: 'the database (?db=) must be a whole number' };
    }
    return undefined;
  }
  if (!parsed.hostname) return { path, message: 'the Redis URL names no host' };
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    return { path, message: 'the database (the URL path) must be a whole number, as in /0' };
  }
  return undefined;
}

/** Throws `invalid_config` naming `path` when the connection option is not usable. */
export function assertRedisConnection(connection: unknown, path = 'connection'): void {
  const issue = redisConnectionIssue(connection, path);
  if (issue) throw invalidConfig([issue]);
}

/** The connection, for messages: a URL with its password replaced by `***`. */
export function describeRedis(connection: RedisConnection): string {
  const options = toOptions(connection);
  if (options.path) return `unix://${options.path}${options.db ? `?db=${options.db}` : ''}`;
  const scheme = options.tls ? 'rediss' : 'redis';
  const user = options.username ? encodeURIComponent(options.username) : '';
  const auth = options.password ? `${user}:***@` : user ? `${user}@` : '';
  return `${scheme}://${auth}${options.host ?? '127.0.0.1'}:${options.port ?? 6379}/${options.db ?? 0}`;
}

/** A URL or `{ url, … }` as plain ioredis options (the URL's parts, then the other options). */
function toOptions(connection: RedisConnection): RedisOptions {
  if (typeof connection === 'string') return urlOptions(connection);
  const { url, ...rest } = connection;
  return url ? { ...urlOptions(url), ...rest } : rest;
}

function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url.trim());
  const db = (value: string | null) => (value ? Number(value) : undefined);
  if (parsed.protocol === 'unix:') {
    const options: RedisOptions = { path: decodeURIComponent(parsed.pathname) };
    const index = db(parsed.searchParams.get('db'));
    if (index !== undefined) options.db = index;
    if (parsed.password) options.password = decodeURIComponent(parsed.password);
    if (parsed.username) options.username = decodeURIComponent(parsed.username);
    return options;
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  const index = db(parsed.pathname.replace(/^\//, ''));
  if (index !== undefined) options.db = index;
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = { servername: options.host as string };
  return options;
}

/**
 * Reports the outages of every client it watches as one line each: the first client that loses
 * its connection is reported, the others and their retries are not, until every one of them is
 * ready again. Without an 'error' listener ioredis prints each error with its stack trace.
 */
export interface RedisErrorReporter {
  watch(client: Pick<Redis, 'on'>): void;
  /**
   * Reports an error that did not come from a watched client (a BullMQ worker's 'error' event):
   * a connection error is dropped (the watched clients report the outage), any other is passed on.
   */
  report(error: Error): void;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Does this error only say that a connection to Redis was lost or refused? */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection is closed|connect ETIMEDOUT|Stream isn't writeable|Command timed out|socket closed/i.test(
    message,
  );
}

export function createRedisErrorReporter(
  connection: RedisConnection,
  onError: (error: Error) => void = () => undefined,
): RedisErrorReporter {
  const where = describeRedis(connection);
  const down = new Set<object>();
  let reported = false;
  const tell = (error: Error) => {
    try {
      onError(error);
    } catch {
      // A failing callback must not break the connection's handling.
    }
  };
  const lost = (client: object, error: Error) => {
    down.add(client);
    if (reported) return;
    reported = true;
    tell(
      error instanceof ContactSyncError && error.operation === 'redis'
        ? error
        : new ContactSyncError({
            code: 'network',
            operation: 'redis',
            message: `[contact-sync] lost Redis at ${where} (${reasonOf(error)}); reconnecting`,
            cause: error,
          }),
    );
  };
  return {
    watch(client) {
      client.on('error', (error: Error) => lost(client, error));
      // A connection closed without an error (Redis shut down cleanly) is an outage as well.
      client.on('reconnecting', () => lost(client, new Error('connection closed')));
      client.on('ready', () => {
        down.delete(client);
        if (down.size === 0) reported = false;
      });
    },
    report(error) {
      if (isConnectionError(error)) return;
      tell(error);
    },
  };
}

type RedisClass = typeof import('ioredis').Redis;
let redisClass: Promise<RedisClass> | undefined;

/** Loads ioredis, an optional peer dependency, once. */
function loadRedis(): Promise<RedisClass> {
  redisClass ??= import('ioredis').then(
    // The CommonJS build exposes the class both as `Redis` and as the default export.
    (module) => module.Redis ?? (module as unknown as { default: RedisClass }).default,
    (error) => {
      redisClass = undefined;
      throw new ContactSyncError({
        code: 'invalid_config',
        message:
          '[contact-sync] Redis needs the ioredis package: npm install ioredis (an optional peer dependency)',
        cause: error,
      });
    },
  );
  return redisClass;
}

export interface OpenRedisOptions {
  /**
   * For a client that blocks on its commands (a BullMQ worker's): no command timeout, and its
   * commands wait through reconnections (`maxRetriesPerRequest: null`).
   */
  blocking?: boolean;
  /** Gets the client's connection errors, one per outage. Default: a silent listener. */
  reporter?: RedisErrorReporter;
}

/**
 * Opens one ioredis client and waits until it is connected and on its database. Connects within
 * `connectTimeout` (default 5 s) or rejects with a `network` error naming Redis and the URL (no
 * password); a database index Redis does not have rejects with `invalid_config` (ioredis would
 * go on silently in database 0). Once open, the client reconnects by itself after an outage;
 * a command waits at most `commandTimeout` (default 5 s) and then rejects.
 */
export async function openRedis(
  connection: RedisConnection,
  { blocking = false, reporter }: OpenRedisOptions = {},
): Promise<Redis> {
  assertRedisConnection(connection);
  const Redis = await loadRedis();
  const given = toOptions(connection);
  const client = new Redis({
    connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
    ...(blocking ? {} : { commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 }),
    // Reconnects after an outage, backing off to one try every 2 s.
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
    ...given,
    ...(blocking ? { maxRetriesPerRequest: null } : {}),
    lazyConnect: true,
  });
  // Until connected, errors only explain a failed connect (ioredis's own 'Connection is closed').
  let lastError: unknown;
  const remember = (error: unknown) => {
    lastError = error;
  };
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw redisUnreachable(connection, lastError ?? error);
  } finally {
    client.off('error', remember);
  }
  if (reporter) reporter.watch(client);
  else client.on('error', () => undefined);
  if (given.db) {
    // ioredis reports a failed SELECT as an 'error' event and then runs in database 0.
    try {
      await client.select(given.db);
    } catch (error) {
      client.disconnect();
      throw new ContactSyncError({
        code: 'invalid_config',
        message: `[contact-sync] Redis at ${describeRedis(connection)} has no database ${given.db} (${reasonOf(error)})`,
        issues: [{ path: 'connection', message: `Redis has no database ${given.db}` }],
        cause: error,
      });
    }
  }
  return client;
}

/** The error of a Redis that cannot be reached: names Redis and the URL, never the password. */
export function redisUnreachable(connection: RedisConnection, cause: unknown): ContactSyncError {
  return new ContactSyncError({
    code: 'network',
    operation: 'redis.connect',
    message: `[contact-sync] cannot reach Redis at ${describeRedis(connection)} (${reasonOf(cause)})`,
    cause,
  });
}

/** Is this the error of a Redis that could not be reached (from `openRedis`)? */
export function isRedisUnreachable(error: unknown): error is ContactSyncError {
  return error instanceof ContactSyncError && error.operation === 'redis.connect';
}

/** An ioredis error's own words, without anything that could hold a password. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // ioredis messages name the host and port at most; a URL (which could hold a password) is cut.
  const safe = message.replace(/\b[a-z]+:\/\/\S+/gi, '<url>').slice(0, 200);
  return typeof code === 'string' && !safe.includes(code) ? `${code}: ${safe}` : safe;
}
