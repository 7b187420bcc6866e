import * as v from 'valibot';
import { MAPPABLE_FIELDS } from '../../src/contact.js';
import { invalidConfig } from '../../src/errors.js';
import {
  type CommonOptions,
  commonOptionEntries,
  parseOptions,
  secretSchema,
} from '../../src/options.js';

/** Options of `createCallbellContactStore`. */
export interface CallbellOptions extends CommonOptions {
  /** The API key from Callbell's dashboard (Settings → API settings → Keys), sent as a bearer token. Required. */
  apiToken: string;
  /**
   * The channel (one WhatsApp number of the account) that owns created contacts and that lookups by
   * phone search. Default: none sent, so Callbell uses the account's main WhatsApp channel.
   */
  channelUuid?: string;
}

/** The options after validation, with a `fieldMap` of Callbell custom-field names only. */
export interface ParsedCallbellOptions extends Omit<CallbellOptions, 'fieldMap'> {
  fieldMap: Record<string, string>;
}

const CallbellOptionsSchema = v.strictObject({
  ...commonOptionEntries,
  apiToken: secretSchema,
  channelUuid: v.optional(v.pipe(v.string(), v.minLength(1, 'required'), v.maxLength(256))),
});

/**
 * Validates the options: the common ones, plus what only Callbell constrains. Its custom fields are
 * addressed by name, so every `fieldMap` value must be a string; `name` is native and cannot be
 * re-targeted; two keys may not share one custom field (a read could not tell them apart).
 */
export function parseCallbellOptions(options: unknown): ParsedCallbellOptions {
  const parsed = parseOptions(CallbellOptionsSchema, options, 'callbell');
  const fieldMap: Record<string, string> = {};
  const owners = new Map<string, string>();
  for (const [key, target] of Object.entries(parsed.fieldMap ?? {})) {
    const path = `fieldMap.${key}`;
    if (typeof target !== 'string') {
      throw invalidConfig(
        [{ path, message: 'expected a Callbell custom field name (a string)' }],
        'callbell',
      );
    }
    if (key === 'name') {
      throw invalidConfig(
        [{ path, message: 'Callbell holds name natively; remove this entry' }],
        'callbell',
      );
    }
    const owner = owners.get(target);
    if (owner !== undefined) {
      throw invalidConfig(
        [{ path, message: `the same custom field as fieldMap.${owner}` }],
        'callbell',
      );
    }
    owners.set(target, key);
    fieldMap[key] = target;
  }
  // The schema checked `fetch` and the hooks as functions; their signatures are the caller's.
  return { ...(parsed as CallbellOptions), fieldMap };
}

/** The common fields (besides `name`) that Callbell can only keep in a custom field. */
export const CUSTOM_FIELD_ONLY = MAPPABLE_FIELDS.filter((field) => field !== 'name');
export type CustomFieldOnly = (typeof CUSTOM_FIELD_ONLY)[number];
