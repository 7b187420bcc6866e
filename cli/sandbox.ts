import { startSandbox } from '../sandbox/index.js';
import type { CliIo } from './main.js';

export interface SandboxFlags {
  port: number;
  faultRate: number;
  seed: number;
  latencyMs: number;
}

/** `contact-sync sandbox`: serves the three vendors on 127.0.0.1 until interrupted. */
export async function sandboxCommand(flags: SandboxFlags, io: CliIo): Promise<number> {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port: flags.port,
      seed: flags.seed,
      latencyMs: flags.latencyMs,
      faults: { rate: flags.faultRate },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    io.err.write(`contact-sync: the sandbox cannot listen on 127.0.0.1:${flags.port} (${code})\n`);
    return 2;
  }
  const config = { defaultCountry: 'FR', stores: sandbox.storeConfigs() };
  io.err.write(
    `Sandbox listening on ${sandbox.url} (fault rate ${flags.faultRate}). ` +
      'Save this as contact-sync.config.json, then run contact-sync push <file>. Ctrl-C stops it.\n',
  );
  io.out.write(`${JSON.stringify(config, null, 2)}\n`);
  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  return 0;
}
