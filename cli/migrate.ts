import type { ContactStore } from '../src/contact-store.js';
import {
  createContactSync,
  exportContacts,
  type LinkStore,
  migrate,
  type StoreDiff,
} from '../src/sync/index.js';
import { coloursFor } from './colour.js';
import { createSummary } from './summary.js';
import { textTable } from './text-table.js';

export interface MigrateCommandOptions {
  from: ContactStore;
  to: ContactStore;
  links: LinkStore;
  /** The links file, for the resume hint. */
  linksPath?: string;
  dryRun: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * `contact-sync migrate --from A --to B`: what A holds, pushed to B with links (a rerun updates,
 * an interrupted run resumes). The summary and exit status of push; with `--dry-run`, what the
 * run would do at B, reading only.
 */
export async function migrateCommand(options: MigrateCommandOptions): Promise<number> {
  if (options.dryRun) return dryRun(options);
  const summary = createSummary([options.to.provider]);
  const result = await migrate({
    from: options.from,
    to: options.to,
    links: options.links,
    concurrency: options.concurrency,
    signal: options.signal,
    onReport: (report) => summary.add(report),
    onProgress: options.err.isTTY
      ? ({ read, done }) => options.err.write(`\rmigrating: ${done} of ${read} read`)
      : undefined,
  });
  if (options.err.isTTY) options.err.write('\n');
  const colours = coloursFor(options.out, options.env ?? {});
  options.out.write(
    `${options.from.provider} → ${options.to.provider}: ${result.read} contacts read\n`,
  );
  options.out.write(`${summary.render(colours)}\n`);
  for (const warning of result.warnings) {
    options.out.write(
      `${options.to.provider} cannot hold ${warning.field} (${warning.reason}) for ${warning.count} contacts\n`,
    );
  }
  if (result.interrupted) {
    const where = options.linksPath
      ? ` Links are in ${options.linksPath}.`
      : ' Add --links PATH to be able to resume.';
    options.err.write(`Interrupted: run the same command to resume.${where}\n`);
    return 1;
  }
  return summary.failedRecords > 0 ? 1 : 0;
}

async function dryRun(options: MigrateCommandOptions): Promise<number> {
  const sync = createContactSync({ stores: [options.to], links: options.links });
  const counts = new Map<StoreDiff['action'], number>();
  let read = 0;
  for await (const record of exportContacts({
    from: options.from,
    links: options.links,
    signal: options.signal,
  })) {
    read += 1;
    const report = await sync.diff(record, { signal: options.signal });
    for (const result of report.results)
      counts.set(result.action, (counts.get(result.action) ?? 0) + 1);
  }
  const actions: StoreDiff['action'][] = ['create', 'update', 'unchanged', 'conflict', 'failed'];
  options.out.write(
    `${options.from.provider} → ${options.to.provider}: ${read} contacts read (dry run: nothing written)\n`,
  );
  options.out.write(
    `${textTable(['vendor', ...actions], [[options.to.provider, ...actions.map((action) => String(counts.get(action) ?? 0))]]).join('\n')}\n`,
  );
  return (counts.get('failed') ?? 0) > 0 ? 1 : 0;
}
