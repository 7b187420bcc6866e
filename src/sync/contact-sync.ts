import { type Logger, log } from '../logger.js';
import { diffRecord } from './diff.js';
import { pushManyRecords } from './push-many.js';
import { type PushCall, pushRecord } from './push-record.js';
import { removeRecord } from './remove-record.js';
import { syncOptOuts } from './sync-opt-outs.js';
import { parseSyncOptions } from './sync-options.js';
import { parseVerify } from './sync-state.js';
import type { ContactSync, ContactSyncOptions, PushReport, SyncRecord } from './sync-types.js';

/**
 * Keeps one contact in step across several stores, remembering each vendor's id under your own
 * key. Options are checked here: a bad one throws `invalid_config` naming it.
 */
export function createContactSync(options: ContactSyncOptions): ContactSync {
  const settings = parseSyncOptions(options);
  const push = async (record: unknown, call: PushCall): Promise<PushReport> => {
    const report = {
      ...(await pushRecord(settings, record, call)),
      record: record as SyncRecord,
    };
    if (settings.logger) logReport(settings.logger, report);
    return report;
  };
  return {
    push: async (record, callOptions) =>
      push(record, {
        signal: callOptions?.signal,
        verify: parseVerify(callOptions?.verify, 'verify'),
      }),
    pushMany: (records, manyOptions) => pushManyRecords(push, records, manyOptions),
    remove: (key, callOptions) => removeRecord(settings, key, callOptions?.signal),
    syncOptOuts: (syncOptions) => syncOptOuts(settings.stores, settings.links, syncOptions),
    diff: (record, callOptions) =>
      diffRecord(
        settings.stores,
        settings.links,
        settings.defaultCountry,
        record,
        callOptions?.signal,
      ),
  };
}

/** Each store's outcome of a push: failures at warn, the rest at debug (key, vendor, status, code). */
function logReport(logger: Logger, report: PushReport): void {
  for (const result of report.results) {
    const failed = result.status === 'failed';
    log(
      logger,
      failed ? 'warn' : 'debug',
      {
        key: report.key,
        provider: result.provider,
        status: result.status,
        ...(result.error ? { code: result.error.code } : {}),
      },
      failed ? 'contact-sync push failed' : 'contact-sync pushed',
    );
  }
}
