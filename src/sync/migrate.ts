import { abortError } from '../abort.js';
import type { Contact, ContactInput, Warning } from '../contact.js';
import type { ContactStore } from '../contact-store.js';
import { invalidConfig } from '../errors.js';
import { createContactSync } from './contact-sync.js';
import type { LinkStore } from './link-store.js';
import { memoryLinkStore } from './memory-link-store.js';
import type { PushProgress, PushReport, PushStatus, SyncRecord } from './sync-types.js';

/** Options of `exportContacts`. */
export interface ExportOptions {
  /** The store to read, every page. */
  from: ContactStore;
  /** Where keys come from (`findKey(from.provider, id)`); unlinked contacts get `<provider>:<id>`. */
  links?: LinkStore;
  /** Cancels the reading (passed to `from.list`): the iteration rejects `aborted`. */
  signal?: AbortSignal;
}

/**
 * Every contact `from` holds, as records ready for `push`: `{ key, contact }`, the key from the
 * links where the contact is linked, else `<provider>:<id>` (stable across runs). Streamed: one
 * page in memory at a time.
 */
export async function* exportContacts(options: ExportOptions): AsyncIterable<SyncRecord> {
  const { from, signal } = options;
  const findKey = keyFinder(options.links);
  for await (const contact of from.list({ signal })) {
    const key = (await findKey?.(from.provider, contact.id)) ?? `${from.provider}:${contact.id}`;
    yield { key, contact: inputOf(contact) };
  }
}

/** A contact as the vendor holds it → the input that would write it again elsewhere. */
export function inputOf(contact: Contact): ContactInput {
  const {
    id: _id,
    provider: _provider,
    createdAt: _createdAt,
    warnings: _warnings,
    raw: _raw,
    ...input
  } = contact;
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as unknown as ContactInput;
}

/** Options of `migrate`. */
export interface MigrateOptions {
  /** The vendor you are leaving: read, never written. */
  from: ContactStore;
  /** The vendor you are moving to. */
  to: ContactStore;
  /**
   * Keeps which contact of `to` each record became, so a second run updates instead of creating
   * and a run cut off resumes. Use a durable store (`fileLinkStore`). Default: in memory (a rerun
   * then finds the contacts again by phone).
   */
  links?: LinkStore;
  /** Records written at once. Default 8. */
  concurrency?: number;
  /** Stops the run; the summary then says `interrupted` (run it again to resume). */
  signal?: AbortSignal;
  /** Called after each record, with the running totals. */
  onProgress?(progress: MigrateProgress): void;
  /** Called with each record's report (to write the failed ones to a rejects file, say). */
  onReport?(report: PushReport): void;
}

/** What `onProgress` gets after each record: the running totals. */
export interface MigrateProgress extends PushProgress {
  /** Contacts read from `from` so far. */
  read: number;
}

/** One field `to` could not hold, counted over the run: reported once, not once per contact. */
export interface MigrateWarning {
  /** The common field, e.g. `birthday` or `customFields.company`. */
  field: string;
  /** Why `to` could not hold it. */
  reason: Warning['reason'];
  /** The explanation of the first contact it concerned. */
  message: string;
  /** Contacts it concerned. */
  count: number;
}

/** What {@link migrate} resolves once the run is over. */
export interface MigrateSummary {
  /** The vendor read (`from.provider`). */
  from: string;
  /** The vendor written (`to.provider`). */
  to: string;
  /** Contacts read from `from`. */
  read: number;
  /** Results at `to`, by status. */
  results: Record<PushStatus, number>;
  /** The fields `to` could not hold. */
  warnings: MigrateWarning[];
  /** The run stopped on its signal before reading everything; run it again to resume. */
  interrupted: boolean;
}

/**
 * Moves what `from` holds to `to`: each contact pushed under its key (see `exportContacts`) with
 * `to`'s links, so a rerun updates instead of creating and an interrupted run resumes. Never
 * throws for a contact: a failed one is counted and given to `onReport`. Throws `invalid_config`
 * for bad options, `aborted` never (the summary says `interrupted`).
 */
export async function migrate(options: MigrateOptions): Promise<MigrateSummary> {
  checkOptions(options);
  const { from, to, signal } = options;
  const links = options.links ?? memoryLinkStore();
  const sync = createContactSync({ stores: [to], links });
  const warnings = new Map<string, MigrateWarning>();
  let read = 0;
  let last: PushProgress = {
    done: 0,
    failed: 0,
    inFlight: 0,
    results: { created: 0, updated: 0, unchanged: 0, failed: 0, skipped: 0 },
  };
  async function* counted() {
    for await (const record of exportContacts({ from, links, signal })) {
      read += 1;
      yield record;
    }
  }
  let interrupted = false;
  try {
    const reports = sync.pushMany(counted(), {
      concurrency: options.concurrency ?? 8,
      signal,
      onProgress: (progress) => {
        last = progress;
        options.onProgress?.({ ...progress, read });
      },
    });
    for await (const report of reports) {
      for (const result of report.results)
        for (const warning of result.warnings) count(warnings, warning);
      options.onReport?.(report);
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
    interrupted = true;
  }
  if (signal?.aborted) interrupted = true;
  return {
    from: from.provider,
    to: to.provider,
    read,
    results: { ...last.results },
    warnings: [...warnings.values()],
    interrupted,
  };
}

function count(warnings: Map<string, MigrateWarning>, warning: Warning): void {
  const id = `${warning.field}\u0000${warning.reason}`;
  const held = warnings.get(id);
  if (held) held.count += 1;
  else
    warnings.set(id, {
      field: warning.field,
      reason: warning.reason,
      message: warning.message,
      count: 1,
    });
}

function checkOptions(options: MigrateOptions): void {
  const isStore = (value: unknown) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ContactStore).list === 'function';
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig([{ path: 'options', message: 'expected { from, to, links }' }]);
  }
  if (!isStore(options.from))
    throw invalidConfig([{ path: 'from', message: 'expected a ContactStore' }]);
  if (!isStore(options.to))
    throw invalidConfig([{ path: 'to', message: 'expected a ContactStore' }]);
  if (options.from.provider === options.to.provider) {
    throw invalidConfig([{ path: 'to', message: 'expected another vendor than from' }]);
  }
  if (options.signal?.aborted) throw abortError(options.signal, { operation: 'migrate' });
}

type FindKey = (provider: string, id: string) => Promise<string | undefined>;

function keyFinder(links: LinkStore | undefined): FindKey | undefined {
  const findKey = (links as { findKey?: FindKey } | undefined)?.findKey;
  return findKey ? (provider, id) => findKey.call(links, provider, id) : undefined;
}
