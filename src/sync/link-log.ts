/**
 * The line format of `fileLinkStore`: one JSON object per line, appended in order and replayed on
 * open. A compacted file holds only `set` lines.
 */
export type LinkLogEntry =
  | { op: 'set'; key: string; provider: string; id: string }
  | { op: 'delete'; key: string; provider?: string };

export type LinkTable = Map<string, Map<string, string>>;

export function formatEntry(entry: LinkLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** Applies one entry to the in-memory table. */
export function applyEntry(table: LinkTable, entry: LinkLogEntry): void {
  if (entry.op === 'set') {
    let byProvider = table.get(entry.key);
    if (!byProvider) {
      byProvider = new Map();
      table.set(entry.key, byProvider);
    }
    byProvider.set(entry.provider, entry.id);
    return;
  }
  if (entry.provider === undefined) {
    table.delete(entry.key);
    return;
  }
  const byProvider = table.get(entry.key);
  byProvider?.delete(entry.provider);
  if (byProvider?.size === 0) table.delete(entry.key);
}

/**
 * Replays a log. Only the text after the last newline may be torn (a process killed mid-append
 * writes a prefix of one line and never a newline after it): it is ignored unless it parses. A
 * malformed line anywhere else means the file was damaged some other way, and `undefined` entries
 * are reported by line number instead of being dropped silently.
 */
export function replayLog(text: string): { table: LinkTable; badLine?: number } {
  const table: LinkTable = new Map();
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const entry = parseEntry(line);
    const isTornTail = index === lines.length - 1;
    if (entry) applyEntry(table, entry);
    else if (!isTornTail) return { table, badLine: index + 1 };
  }
  return { table };
}

/** Every live link as `set` lines. */
export function compactedLog(table: LinkTable): string {
  let text = '';
  for (const [key, byProvider] of table) {
    for (const [provider, id] of byProvider) text += formatEntry({ op: 'set', key, provider, id });
  }
  return text;
}

function parseEntry(line: string): LinkLogEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { op, key, provider, id } = value as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  if (op === 'set' && typeof provider === 'string' && typeof id === 'string') {
    return { op, key, provider, id };
  }
  if (op === 'delete' && (provider === undefined || typeof provider === 'string')) {
    return provider === undefined ? { op, key } : { op, key, provider };
  }
  return undefined;
}
