import {
  type CommonOptions,
  commonOptionEntries,
  parseOptions,
  secretSchema,
} from 'contact-sync/provider';
import * as v from 'valibot';

/** Options of `createAcmeContactStore`. */
export interface AcmeOptions extends CommonOptions {
  /** The API key from Acme's dashboard (Settings → API), sent in the `x-api-key` header. Required. */
  apiKey: string;
}

/** The common options every store takes, plus Acme's own; unknown keys are refused. */
const AcmeOptionsSchema = v.strictObject({
  ...commonOptionEntries,
  apiKey: secretSchema,
});

/** Validates the options, throwing `invalid_config` that names the bad option. */
export function parseAcmeOptions(options: unknown): AcmeOptions {
  // The schema checked `fetch` and the hooks as functions; their signatures are the caller's.
  return parseOptions(AcmeOptionsSchema, options, 'acme') as AcmeOptions;
}
