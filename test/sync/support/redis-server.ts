import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: with persistence on, it saves before it exits). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: nothing saved at exit). */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same options (and the same data directory). */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /**
   * `none` (default): nothing persisted; `aof`: appendonly on (fsync every write); `rdb`: RDB
   * snapshots only (`save 3600 1`).
   */
  persistence?: 'none' | 'aof' | 'rdb';
  /** Extra `redis-server` arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  args?: readonly string[];
}

/**
 * Starts a throwaway `redis-server` on 127.0.0.1 with nothing persisted (unless asked). Fails
 * (never skips) when the binary is missing: CI installs it with `apt-get install redis-server`.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!existsSync(BINARY)) {
    throw new Error(
      `redis-server not found at ${BINARY}: install it (apt-get install redis-server) or set REDIS_SERVER to its path`,
    );
  }
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'contact-sync-redis-'));
  const persistence = {
    none: ['--save', '', '--appendonly', 'no'],
    aof: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
    rdb: ['--save', '3600 1', '--appendonly', 'no'],
  }[options.persistence ?? 'none'];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    ...persistence,
    ...(options.args ?? []),
  ];
  let child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await ready(child);
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await end('SIGTERM');
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGTERM');
      child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      await ready(child);
    },
  };
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 10 s:\n${output}`));
    }, 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
