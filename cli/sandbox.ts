import type { AnyStoreConfig } from '../providers/registry.js';
import {
  type Sandbox,
  type SandboxAccount,
  type SandboxProvider,
  startSandbox,
} from '../sandbox/index.js';
import type { ContactInput } from '../src/contact.js';
import { normalizePhone } from '../src/phone.js';
import { InputFileError, readRecords } from './input.js';
import type { CliIo } from './main.js';

export interface SandboxFlags {
  port: number;
  faultRate: number;
  seed: number;
  latencyMs: number;
  /** Pre-fill one vendor from a records file (`--seed-file`, `--provider`). */
  seedFile?: { file: string; provider: SandboxProvider };
  /** The vendor account to mirror (`--tags`, `--fields`). */
  account?: SandboxAccount;
  /** Deliver Callbell's contact events to this URL (`--webhook-url`, `--webhook-secret`). */
  webhook?: { url: string; secret?: string };
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
      ...(flags.account ? { account: flags.account } : {}),
      ...(flags.webhook ? { webhook: flags.webhook } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    io.err.write(`contact-sync: the sandbox cannot listen on 127.0.0.1:${flags.port} (${code})\n`);
    return 2;
  }
  if (flags.seedFile) {
    const status = await seed(sandbox, flags.seedFile, io);
    if (status !== 0) {
      await sandbox.close();
      return status;
    }
  }
  if (sandbox.webhook) {
    io.err.write(
      `Callbell webhook deliveries → ${sandbox.webhook.url}, signed with ${sandbox.webhook.secret}\n`,
    );
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

/** Fills one vendor from a records file (what `push` reads); a row it refuses is named, by line. */
async function seed(
  sandbox: Sandbox<AnyStoreConfig>,
  seedFile: { file: string; provider: SandboxProvider },
  io: CliIo,
): Promise<number> {
  const lines: number[] = [];
  async function* contacts(): AsyncGenerator<ContactInput> {
    for await (const row of readRecords(seedFile.file)) {
      lines.push(row.position);
      const contact = row.contact as unknown as ContactInput;
      // The file's national numbers are read as the sandbox's config reads them (FR).
      yield typeof contact.phone === 'string'
        ? { ...contact, phone: safePhone(contact.phone) }
        : contact;
    }
  }
  let result: Awaited<ReturnType<Sandbox['seed']>>;
  try {
    result = await sandbox.seed(seedFile.provider, contacts());
  } catch (error) {
    if (error instanceof InputFileError) {
      io.err.write(`contact-sync: ${error.message}\nNothing was seeded.\n`);
      return 2;
    }
    throw error;
  }
  io.err.write(`Seeded ${result.created} contacts into the sandbox's ${seedFile.provider}.\n`);
  for (const refused of result.refused.slice(0, 5)) {
    io.err.write(
      `  ${seedFile.file}: record at line ${lines[refused.index]} refused (${refused.code})\n`,
    );
  }
  return 0;
}

function safePhone(phone: string): string {
  try {
    return normalizePhone(phone, { defaultCountry: 'FR' });
  } catch {
    return phone;
  }
}
