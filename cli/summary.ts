import type { PushReport, PushStatus } from '../src/sync/index.js';
import type { Colours } from './colour.js';
import { textTable } from './text-table.js';

const COLUMNS: PushStatus[] = ['created', 'updated', 'unchanged', 'failed', 'skipped'];
const REASONS_SHOWN = 5;
const ALL_VENDORS = 'all vendors';

/** Counts per vendor and the most frequent failure reasons, built as reports arrive. */
export interface Summary {
  add(report: PushReport): void;
  readonly records: number;
  readonly failedRecords: number;
  /** The table and the first reasons, as printed at the end of a push (in colour if given). */
  render(colours?: Colours): string;
}

export function createSummary(providers: readonly string[]): Summary {
  const counts = new Map(
    providers.map((provider) => [provider, Object.fromEntries(COLUMNS.map((c) => [c, 0]))]),
  );
  const reasons = new Map<string, Map<string, number>>();
  const warnings = new Map<string, Map<string, number>>();
  // Vendors whose breaker opened: how many records were not sent there, and why.
  const unreachable = new Map<string, { records: number; why: string }>();
  // Conflicts: the first few in full (key, the owner's key and id), and how many in all.
  const conflicts: string[] = [];
  let conflictCount = 0;
  // Rows with a fixed-line phone: sent with a warning, or refused (--refuse-landlines).
  const landlines = { sent: 0, refused: 0 };
  let records = 0;
  let failedRecords = 0;

  return {
    add(report) {
      records += 1;
      if (report.results.some((result) => result.status === 'failed')) failedRecords += 1;
      const shared = sharedReason(report);
      if (shared) tally(reasons, ALL_VENDORS, shared);
      for (const result of report.results) {
        const row = counts.get(result.provider);
        if (row) row[result.status] = (row[result.status] ?? 0) + 1;
        if (result.status === 'failed' && result.error?.code === 'provider_unavailable') {
          // One line for the vendor below the table, not one reason per record.
          const entry = unreachable.get(result.provider) ?? { records: 0, why: '' };
          entry.records += 1;
          entry.why = whyUnreachable(result.error.message) ?? entry.why;
          unreachable.set(result.provider, entry);
        } else if (result.status === 'failed' && result.error && !shared) {
          tally(reasons, result.provider, reasonOf(result.error));
        }
        if (result.status === 'failed' && result.error?.code === 'conflict') {
          conflictCount += 1;
          if (conflicts.length < REASONS_SHOWN) conflicts.push(conflictLine(report.key, result));
        }
        for (const warning of result.warnings) {
          if (warning.reason === 'fixed_line') continue;
          tally(warnings, result.provider, `${warning.field} ${warning.reason}`);
        }
      }
      const fixedLine = report.results.some((result) =>
        result.warnings.some((warning) => warning.reason === 'fixed_line'),
      );
      if (fixedLine && report.results.every((result) => result.status === 'failed')) {
        landlines.refused += 1;
      } else if (fixedLine) landlines.sent += 1;
    },
    get records() {
      return records;
    },
    get failedRecords() {
      return failedRecords;
    },
    render(colours) {
      const header = ['vendor', ...COLUMNS];
      const rows = [...counts].map(([provider, row]) => [
        provider,
        ...COLUMNS.map((column) => String(row[column] ?? 0)),
      ]);
      const out = textTable(header, rows);
      for (const [provider, { records: count, why }] of unreachable) {
        const line = `${provider} unreachable: ${count} records not sent there (${why || 'provider_unavailable'}); the other vendors went on. Push the failed rows again (--rejects) once it is back.`;
        out.push('', colours?.red(line) ?? line);
      }
      const reasonLines = topLines(reasons);
      if (reasonLines.length) out.push('', 'First reasons:', ...reasonLines);
      if (conflictCount) {
        out.push('', 'Conflicts (the phone is held by the contact of another key):', ...conflicts);
        const hidden = conflictCount - conflicts.length;
        if (hidden) out.push(`  ${hidden} more (see --report: existingKey, existingId)`);
      }
      const warningLines = topLines(warnings);
      if (warningLines.length) out.push('', 'Not stored (warnings):', ...warningLines);
      if (landlines.sent) {
        out.push(
          '',
          `Landlines: ${landlines.sent} ${landlines.sent === 1 ? 'record has' : 'records have'} a fixed-line phone (phone fixed_line): stored, but SMS and WhatsApp cannot reach them (--refuse-landlines keeps them back).`,
        );
      }
      if (landlines.refused) {
        out.push(
          '',
          `Landlines: ${landlines.refused} ${landlines.refused === 1 ? 'record' : 'records'} refused for a fixed-line phone (--refuse-landlines).`,
        );
      }
      const synced = `${records - failedRecords} fully synced`;
      const failed = `${failedRecords} with failures`;
      out.push(
        '',
        `${records} records, ${colours?.green(synced) ?? synced}, ${
          failedRecords ? (colours?.red(failed) ?? failed) : failed
        }`,
      );
      return out.join('\n');
    },
  };
}

/** `  callbell: crm-2 → crm-1 (id 4f3a…)`: who holds the phone, as the vendor and links say. */
function conflictLine(key: string, result: PushReport['results'][number]): string {
  const error = result.error as { existingKey?: string; existingId?: string } | undefined;
  const owner = error?.existingKey ? `key ${error.existingKey}` : 'a contact no key is linked to';
  const id = error?.existingId ? ` (${result.provider} id ${error.existingId})` : '';
  return `  ${result.provider}: ${key} → ${owner}${id}`;
}

function tally(table: Map<string, Map<string, number>>, provider: string, label: string): void {
  const byLabel = table.get(provider) ?? new Map<string, number>();
  byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
  table.set(provider, byLabel);
}

/** The most frequent labels of each vendor, most frequent first, and how many are not shown. */
function topLines(table: Map<string, Map<string, number>>): string[] {
  return [...table].flatMap(([provider, byLabel]) => {
    const sorted = [...byLabel].sort((a, b) => b[1] - a[1]);
    const lines = sorted
      .slice(0, REASONS_SHOWN)
      .map(([label, count]) => `  ${provider}: ${count} × ${label}`);
    const hidden = sorted.slice(REASONS_SHOWN).reduce((sum, [, count]) => sum + count, 0);
    if (hidden) lines.push(`  ${provider}: ${hidden} more (see --report)`);
    return lines;
  });
}

/**
 * The reason of a record that failed the same way at every vendor (an input error found before
 * any request), so the summary prints it once as "all vendors" rather than once per vendor.
 */
function sharedReason(report: PushReport): string | undefined {
  if (report.results.length < 2) return undefined;
  const labels = new Set(
    report.results.map((result) =>
      result.status === 'failed' && result.error?.code === 'invalid_input'
        ? reasonOf(result.error)
        : undefined,
    ),
  );
  const [label] = labels;
  return labels.size === 1 ? label : undefined;
}

/** `cannot reach callbell at 127.0.0.1:4999: connection refused`, from a `provider_unavailable`. */
function whyUnreachable(message: string): string | undefined {
  return /cannot reach [^(]+?(?= \(|$)/.exec(message)?.[0];
}

/** A failure without its `[contact-sync] [vendor] op failed:` prefix, for grouping. */
export function reasonOf(error: { code: string; message: string }): string {
  return error.message.replace(/^\[contact-sync\](?: \[[^\]]+\])?(?: \w+ failed:)? /, '');
}
