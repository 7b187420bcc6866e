import * as v from 'valibot';
import { invalidConfig } from '../../src/errors.js';
import {
  type CommonOptions,
  commonOptionEntries,
  parseOptions,
  secretSchema,
} from '../../src/options.js';

/** Options of `createNotificoreContactStore`. */
export interface NotificoreOptions extends CommonOptions {
  /**
   * The API 2.0 key (`live_…` or `test_…`), exchanged for a JWT at `POST /api/auth/login`.
   * Required.
   */
  apiKey: string;
  /**
   * Lists (positive integer ids, at most 100) every written contact belongs to: sent as `groups`
   * on create, and after every create and update the contact is attached (`POST
   * /api/groups/attach`) to those it is not shown in. An attach that fails leaves the write done
   * and puts a `listIds` warning on the result. Lists are never left: other memberships are kept.
   * Default: none.
   */
  listIds?: number[];
  /** Contacts per page when listing, 15–500 (the vendor's bounds). Default 100. */
  pageSize?: number;
  /**
   * The stop-list channels `optOut`/`optIn` write (`optOuts` reads every channel). Default
   * `['sms', 'viber']`: an opt-out heard anywhere stops both.
   */
  optOutTypes?: ('sms' | 'viber')[];
}

/** The channels `optOut` writes when `optOutTypes` is not given. */
export const DEFAULT_OPT_OUT_TYPES: readonly ('sms' | 'viber')[] = ['sms', 'viber'];

/** The page size `list` uses when `pageSize` is not given. */
export const DEFAULT_PAGE_SIZE = 100;

const positiveId = v.pipe(
  v.number('expected a number'),
  v.integer('expected a whole number'),
  v.minValue(1, 'expected a positive id'),
  v.maxValue(Number.MAX_SAFE_INTEGER, 'too large'),
);

const NotificoreOptionsSchema = v.strictObject({
  ...commonOptionEntries,
  apiKey: secretSchema,
  listIds: v.optional(v.pipe(v.array(positiveId), v.maxLength(100, 'at most 100 lists'))),
  pageSize: v.optional(
    v.pipe(
      v.number('expected a number'),
      v.integer('expected a whole number'),
      v.minValue(15, 'expected at least 15'),
      v.maxValue(500, 'expected at most 500'),
    ),
  ),
  optOutTypes: v.optional(
    v.pipe(
      v.array(v.picklist(['sms', 'viber'], "expected 'sms' or 'viber'")),
      v.minLength(1, 'at least one type'),
    ),
  ),
});

/** Fields Notificore holds natively or not at all: `fieldMap` cannot route them. */
const UNROUTABLE = new Set(['phone', 'tags', 'assignedUser']);

/** Parses the options; an unknown, missing or wrong option is `invalid_config` naming it. */
export function parseNotificoreOptions(options: unknown): NotificoreOptions {
  const parsed = parseOptions(NotificoreOptionsSchema, options, 'notificore') as NotificoreOptions;
  const issues = Object.entries(parsed.fieldMap ?? {}).flatMap(([key, target]) => {
    if (UNROUTABLE.has(key)) {
      return [{ path: `fieldMap.${key}`, message: `${key} cannot be routed to a custom field` }];
    }
    if (typeof target === 'number' && !(target >= 1 && Number.isSafeInteger(target))) {
      return [
        { path: `fieldMap.${key}`, message: 'expected a positive custom field id or a name' },
      ];
    }
    return [];
  });
  if (issues.length) throw invalidConfig(issues, 'notificore');
  return parsed;
}
