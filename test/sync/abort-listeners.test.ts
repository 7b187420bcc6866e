import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { createContactSync } from '../../src/sync/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ latencyMs: 0 });
});
afterAll(() => sandbox.close());

describe('a caller signal shared by many calls', () => {
  it('pushMany at concurrency 32 with a signal adds one listener and prints no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const stores = sandbox
        .storeConfigs()
        .map((config) => createContactStore({ ...config, rateLimit: false } as never));
      const sync = createContactSync({ stores });
      const controller = new AbortController();
      const records = Array.from({ length: 96 }, (_, index) => ({
        key: `k${index}`,
        contact: { phone: `+336123${String(index).padStart(5, '0')}` },
      }));
      let most = 0;
      const statuses = new Set<string>();
      for await (const report of sync.pushMany(records, {
        concurrency: 32,
        signal: controller.signal,
        onProgress: () => {
          most = Math.max(most, getEventListeners(controller.signal, 'abort').length);
        },
      })) {
        for (const result of report.results) statuses.add(result.status);
      }
      // process.emitWarning reports on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(statuses).toEqual(new Set(['created']));
      expect(most).toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual(
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a store call leaves no listener on the caller’s signal', async () => {
    const [config] = sandbox.storeConfigs();
    const store = createContactStore({ ...config, rateLimit: false } as never);
    const controller = new AbortController();
    await store.create({ phone: '+33699999999' }, { signal: controller.signal });
    await store.findByPhone('+33699999999', { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
