import type { EmulatorResponse } from '../emulator.js';
import { type EmulatedRecord, failure } from './rules.js';

const PAGE_SIZE = 20;
const MAX_PAGE = 500;

interface Cursor {
  /** The newest contact when the scan started: later ones are not included. */
  snapshot: number;
  /** The last contact returned: the next page starts below it. */
  last: number;
}

/**
 * `GET /contacts` as the newer (Italian) revision of the docs describes it: newest first, 20 per
 * page, `meta: { page, pages, next }`, `after=<meta.next>` taking precedence over `page`, page
 * numbers capped at 500, a malformed cursor refused. `source` and `tags` (comma-separated, any of
 * them, case-insensitive) filter.
 */
export function listPage(
  records: EmulatedRecord[],
  query: URLSearchParams,
  present: (record: EmulatedRecord) => unknown,
): EmulatorResponse {
  const matching = records.filter(filterOf(query)).sort((a, b) => b.sequence - a.sequence);
  const after = query.get('after');
  let cursor: Cursor;
  if (after !== null) {
    const decoded = decodeCursor(after);
    if (!decoded) return failure(400, 'Invalid pagination cursor');
    cursor = decoded;
  } else {
    const page = Number(query.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1) return failure(400, 'Invalid parameter: page');
    if (page > MAX_PAGE) return failure(400, 'Pagination limit exceeded');
    const snapshot = matching[0]?.sequence ?? 0;
    const skipped = matching[(page - 1) * PAGE_SIZE - 1];
    cursor = { snapshot, last: page === 1 ? snapshot + 1 : (skipped?.sequence ?? 0) };
  }
  const scan = matching.filter((record) => record.sequence <= cursor.snapshot);
  const remaining = scan.filter((record) => record.sequence < cursor.last);
  const items = remaining.slice(0, PAGE_SIZE);
  const lastItem = items.at(-1);
  const next =
    lastItem && remaining.length > items.length
      ? encodeCursor({ snapshot: cursor.snapshot, last: lastItem.sequence })
      : null;
  const meta = {
    page: Math.floor((scan.length - remaining.length) / PAGE_SIZE) + 1,
    pages: Math.max(1, Math.ceil(scan.length / PAGE_SIZE)),
    next,
  };
  return {
    status: 200,
    body: { contacts: items.map(present), meta },
  };
}

function filterOf(query: URLSearchParams): (record: EmulatedRecord) => boolean {
  const source = query.get('source');
  const tags = (query.get('tags') ?? '')
    .split(',')
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
  return ({ contact }) =>
    (!source || contact.source === source) &&
    (tags.length === 0 || contact.tags.some((tag) => tags.includes(tag.toLowerCase())));
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`c1:${cursor.snapshot}:${cursor.last}`).toString('base64url');
}

function decodeCursor(value: string): Cursor | undefined {
  const match = /^c1:(\d+):(\d+)$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  return match ? { snapshot: Number(match[1]), last: Number(match[2]) } : undefined;
}
