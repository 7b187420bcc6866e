import { type ChildProcess, fork } from 'node:child_process';
import type { ContactStoreConfig } from '../providers/registry.js';
import { startSandbox } from '../sandbox/index.js';

/** The environment variable that turns the benchmark's own bundle into a sandbox server. */
const CHILD_FLAG = 'CONTACT_SYNC_BENCH_SANDBOX_LATENCY';

/** A sandbox served by a child process, so its CPU time is not counted as the client's. */
export interface RemoteSandbox {
  readonly configs: ContactStoreConfig[];
  /** Empties the emulators and the request log: every block starts from the same state. */
  reset(): Promise<void>;
  /** The sandbox's request log since the last reset (method, path, status, arrival time). */
  requests(): Promise<{ method: string; path: string; at: number }[]>;
  close(): Promise<void>;
}

type Reply = { id: number; value?: unknown };

/** Starts `startSandbox({ latencyMs })` in a child process running this same bundle. */
export async function startRemoteSandbox(latencyMs: number): Promise<RemoteSandbox> {
  const child: ChildProcess = fork(process.argv[1] as string, [], {
    env: { ...process.env, [CHILD_FLAG]: String(latencyMs) },
    execArgv: ['--enable-source-maps'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const pending = new Map<number, (value: unknown) => void>();
  child.on('message', (message: Reply) => {
    pending.get(message.id)?.(message.value);
    pending.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ask = (command: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, command }, (error) => error && reject(error));
    });
  const configs = (await ask('configs')) as ContactStoreConfig[];
  return {
    configs,
    reset: async () => {
      await ask('reset');
    },
    requests: async () => (await ask('requests')) as { method: string; path: string; at: number }[],
    close: async () => {
      child.send({ id: -1, command: 'close' });
      await exited;
    },
  };
}

/** True (and serving) when this process was forked as a sandbox by `startRemoteSandbox`. */
export async function serveIfSandboxChild(): Promise<boolean> {
  const latency = process.env[CHILD_FLAG];
  if (latency === undefined) return false;
  const sandbox = await startSandbox({ latencyMs: Number(latency) });
  process.on('message', async (message: { id: number; command: string }) => {
    let value: unknown;
    if (message.command === 'configs') value = sandbox.storeConfigs();
    if (message.command === 'reset') sandbox.reset();
    if (message.command === 'requests') {
      value = sandbox.requests.map(({ method, path, at }) => ({ method, path, at }));
    }
    if (message.command === 'close') {
      await sandbox.close();
      process.disconnect?.();
      return;
    }
    process.send?.({ id: message.id, value });
  });
  return true;
}
