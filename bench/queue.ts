import { type ChildProcess, fork } from 'node:child_process';
import { type ContactStoreConfig, createContactStore } from '../providers/registry.js';
import { createSyncQueue, createSyncWorker } from '../queue/index.js';
import { startSandbox } from '../sandbox/index.js';
import { createContactSync, memoryLinkStore, type SyncRecord } from '../src/sync/index.js';
import { maxInWindow } from '../test/queue/support/windows.js';
import { startRedisServer } from '../test/sync/support/redis-server.js';

/*
 * Row group 7: the queue, with worker processes (forked from this same bundle) against a Redis
 * started here and the sandbox served by this process.
 * - CPU per record of a worker beside a single-process pushMany of the same records, and the
 *   throughput of 1, 2 and 4 workers;
 * - one vendor answering 503 throughout: the throughput the other vendors keep;
 * - limits set to bind (15/30/30 per second), 4 workers: the busiest second at each vendor, from
 *   the sandbox's own request log (arrival times).
 */

const CHILD_FLAG = 'CONTACT_SYNC_BENCH_QUEUE_CHILD';

interface ChildTask {
  mode: 'worker' | 'pushMany';
  redis: string;
  name: string;
  stores: ContactStoreConfig[];
  concurrency: number;
  /** pushMany: records `from`…`from + count - 1`. */
  from?: number;
  count?: number;
}

interface ChildResult {
  records: number;
  cpuMs: number;
  wallMs: number;
}

const phoneOf = (index: number) => `+336${String(50_000_000 + index).slice(-8)}`;
function* recordsOf(from: number, count: number): Generator<SyncRecord> {
  for (let index = from; index < from + count; index++) {
    yield { key: `bench-${index}`, contact: { phone: phoneOf(index), firstName: `P ${index}` } };
  }
}

/** True (and working until told to stop) when this process was forked as a queue child. */
export async function serveIfQueueChild(): Promise<boolean> {
  const raw = process.env[CHILD_FLAG];
  if (!raw) return false;
  const task = JSON.parse(raw) as ChildTask;
  // Counted from when the work starts: loading modules and connecting are not per record.
  let cpu = process.cpuUsage();
  let began = performance.now();
  const start = () => {
    cpu = process.cpuUsage();
    began = performance.now();
  };
  const finish = (records: number) => {
    const used = process.cpuUsage(cpu);
    const result: ChildResult = {
      records,
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - began,
    };
    process.send?.(result, () => process.exit(0));
  };
  if (task.mode === 'pushMany') {
    const run = createContactSync({
      stores: task.stores.map((config) => createContactStore(config)),
      links: memoryLinkStore(),
    });
    start();
    let done = 0;
    for await (const _ of run.pushMany(recordsOf(task.from ?? 0, task.count ?? 0), {
      concurrency: task.concurrency,
    })) {
      done += 1;
    }
    finish(done);
    return true;
  }
  let done = 0;
  const worker = createSyncWorker({
    connection: task.redis,
    name: task.name,
    stores: task.stores,
    concurrency: task.concurrency,
    onReport: (_report, job) => {
      if (job.final) done += 1;
    },
    onWarning: () => undefined,
  });
  await worker.ready();
  start();
  process.send?.({ ready: true });
  process.once('message', async () => {
    await worker.close({ timeoutMs: 2000 });
    finish(done);
  });
  return true;
}

function startChild(task: ChildTask): {
  ready: Promise<void>;
  stop: () => Promise<ChildResult>;
  done: Promise<ChildResult>;
} {
  const child: ChildProcess = fork(process.argv[1] as string, [], {
    env: { ...process.env, [CHILD_FLAG]: JSON.stringify(task) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let readyResolve!: () => void;
  const ready = new Promise<void>((resolve) => {
    readyResolve = resolve;
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('message', (message: { ready?: boolean } & ChildResult) => {
      if (message.ready) readyResolve();
      else resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`queue child exited with ${code}`)));
  });
  done.catch(() => undefined);
  return {
    ready,
    done,
    stop: () => {
      child.send('stop');
      return done;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QueueBenchResult {
  /** CPU ms per record: one worker process, and pushMany in one process. */
  cpuPerRecord: { worker: number; pushMany: number };
  /** Records per second with 1, 2 and 4 workers. */
  throughput: Record<1 | 2 | 4, number>;
  /** Records per second the other vendors completed, without and with one vendor down. */
  outage: { baseline: number; during: number };
  /** Busiest one-second window at each vendor (sandbox arrivals) vs its limit. */
  limits: { provider: string; limit: number; busiest: number }[];
}

export async function measureQueue(options: {
  seconds: number;
  records: number;
  log: (text: string) => void;
}): Promise<QueueBenchResult> {
  const { seconds, records, log } = options;
  const redis = await startRedisServer({ persistence: 'aof' });
  const sandbox = await startSandbox();
  let queueNumber = 0;
  let nextRecord = 0;
  const unlimited = (): ContactStoreConfig[] =>
    sandbox.storeConfigs().map(
      (config) =>
        ({
          ...config,
          retry: false,
          rateLimit: false,
        }) as ContactStoreConfig,
    );

  /** Runs `workers` workers for `seconds` on a fresh queue of `records`; records done per s. */
  async function run(workers: number, stores: ContactStoreConfig[], during?: () => void) {
    const name = `bench-${++queueNumber}`;
    const queue = createSyncQueue({ connection: redis.url, name, onWarning: () => undefined });
    await queue.enqueue(recordsOf(nextRecord, records));
    nextRecord += records;
    const children = Array.from({ length: workers }, () =>
      startChild({ mode: 'worker', redis: redis.url, name, stores, concurrency: 8 }),
    );
    await Promise.all(children.map((child) => child.ready));
    const began = performance.now();
    during?.();
    await sleep(seconds * 1000);
    const results = await Promise.all(children.map((child) => child.stop()));
    const wall = (performance.now() - began) / 1000;
    await queue.close();
    const done = results.reduce((sum, result) => sum + result.records, 0);
    const cpu = results.reduce((sum, result) => sum + result.cpuMs, 0);
    return { perSecond: done / wall, cpuPerRecord: done ? cpu / done : 0, done };
  }

  try {
    const throughput = { 1: 0, 2: 0, 4: 0 } as Record<1 | 2 | 4, number>;
    let workerCpu = 0;
    for (const workers of [1, 2, 4] as const) {
      log(`7. queue: ${workers} worker(s), ${seconds} s`);
      sandbox.reset();
      const result = await run(workers, unlimited());
      throughput[workers] = result.perSecond;
      if (workers === 1) workerCpu = result.cpuPerRecord;
    }
    log('7. pushMany of as many records in one process');
    sandbox.reset();
    const single = startChild({
      mode: 'pushMany',
      redis: redis.url,
      name: '',
      stores: unlimited(),
      concurrency: 8,
      from: nextRecord,
      count: Math.max(100, Math.round(throughput[1] * seconds)),
    });
    nextRecord += Math.max(100, Math.round(throughput[1] * seconds));
    const pushed = await single.done;

    // One vendor down: Callbell answers 503 to everything for the whole window.
    const others = () =>
      sandbox.emulators.smspartner.contacts().length +
      sandbox.emulators.notificore.contacts().length;
    log(`7. two workers, every vendor up, ${seconds} s`);
    sandbox.reset();
    await run(2, unlimited());
    const baseline = others() / 2 / seconds;
    log(`7. two workers, Callbell answering 503 throughout, ${seconds} s`);
    sandbox.reset();
    await run(2, unlimited(), () =>
      sandbox.inject({
        provider: 'callbell',
        status: 503,
        headers: { 'retry-after': '1' },
        times: 1_000_000,
      }),
    );
    const during = others() / 2 / seconds;

    log(`7. limits 15/30/30 per second, 4 workers, ${seconds} s`);
    sandbox.reset();
    const limitOf: Record<string, number> = { smspartner: 15, callbell: 30, notificore: 30 };
    const limited = sandbox.storeConfigs().map(
      (config) =>
        ({
          ...config,
          retry: false,
          rateLimit: { requestsPerSecond: limitOf[config.provider] },
        }) as ContactStoreConfig,
    );
    await run(4, limited);
    const limits = Object.entries(limitOf).map(([provider, limit]) => ({
      provider,
      limit,
      busiest: maxInWindow(
        sandbox.requests
          .filter((request) => request.provider === provider)
          .map((request) => request.at),
        1000,
      ),
    }));
    return {
      cpuPerRecord: { worker: workerCpu, pushMany: pushed.cpuMs / pushed.records },
      throughput,
      outage: { baseline, during },
      limits,
    };
  } finally {
    await sandbox.close();
    await redis.stop();
  }
}
