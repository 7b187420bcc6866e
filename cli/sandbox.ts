import type { AnyStoreConfig } from '../providers/registry.js';
import {
  type Sandbox,
  type SandboxAccount,
  type SandboxProvider,
  startSandbox,
} from '../sandbox/index.js';
import type { SandboxRequest } from '../sandbox/server.js';
import { redactPath } from '../sandbox/ui/redact.js';
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
  /** Serve the web page (`--ui`). */
  ui?: boolean;
  /** One line per request on stderr, and the counts per vendor at exit (`--log`). */
  log?: boolean;
}

/** `contact-sync sandbox`: serves the three vendors on 127.0.0.1 until interrupted. */
export async function sandboxCommand(flags: SandboxFlags, io: CliIo): Promise<number> {
  const counts = new Map<string, Map<string, number>>();
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port: flags.port,
      seed: flags.seed,
      latencyMs: flags.latencyMs,
      faults: { rate: flags.faultRate },
      ...(flags.account ? { account: flags.account } : {}),
      ...(flags.webhook ? { webhook: flags.webhook } : {}),
      ...(flags.ui ? { ui: true } : {}),
      ...(flags.log
        ? {
            onRequest: (request) => {
              io.err.write(`${logLine(request)}\n`);
              count(counts, request);
            },
          }
        : {}),
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
  if (sandbox.uiUrl) io.err.write(`The sandbox's page: ${sandbox.uiUrl}\n`);
  io.out.write(`${JSON.stringify(config, null, 2)}\n`);
  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  if (flags.log) io.err.write(`${requestCounts(Object.keys(sandbox.emulators), counts)}\n`);
  return 0;
}

/**
 * One request as `--log` prints it: time, vendor, method, path (phone numbers masked, secrets
 * redacted), status (`dropped` for a closed connection), duration and any fault met.
 */
export function logLine(request: SandboxRequest): string {
  const time = new Date(request.at).toISOString().slice(11, 23);
  const path = redactPath(request.path, { secrets: [] });
  const status = request.status === 0 ? 'dropped' : String(request.status);
  const fault = request.down
    ? ' (vendor down)'
    : request.injected
      ? ' (planned fault)'
      : request.fault
        ? ` (fault ${request.fault})`
        : '';
  return `${time} ${request.provider} ${request.method} ${path} ${status} ${request.durationMs ?? 0} ms${fault}`;
}

/** Counts one request by vendor and status class (`2xx`, `5xx`, `dropped`…). */
function count(counts: Map<string, Map<string, number>>, request: SandboxRequest): void {
  const classes = counts.get(request.provider) ?? new Map<string, number>();
  counts.set(request.provider, classes);
  const kind = request.status === 0 ? 'dropped' : `${Math.floor(request.status / 100)}xx`;
  classes.set(kind, (classes.get(kind) ?? 0) + 1);
}

/** `Requests: smspartner 12 (2xx 10, 5xx 2), callbell 0, …`: every vendor the sandbox ran. */
function requestCounts(vendors: string[], counts: Map<string, Map<string, number>>): string {
  const perVendor = new Map<string, Map<string, number>>(vendors.map((name) => [name, new Map()]));
  for (const [name, classes] of counts) perVendor.set(name, classes);
  const parts = [...perVendor].map(([name, classes]) => {
    const total = [...classes.values()].reduce((sum, count) => sum + count, 0);
    const detail = [...classes]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return total ? `${name} ${total} (${detail})` : `${name} 0`;
  });
  return `Requests: ${parts.join(', ')}.`;
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
