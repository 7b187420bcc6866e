import * as v from 'valibot';
import { type CommonOptions, commonOptionEntries, secretSchema } from '../../src/options.js';

export interface SmsPartnerOptions extends CommonOptions {
  /**
   * The account's API key (my.smspartner.fr → API). Sent in the JSON body of POST requests and
   * in the query string of GET requests; shown as `[redacted]` everywhere. Required.
   */
  apiKey: string;
  /**
   * The group (contact list) this store reads and writes. SMS Partner keeps each contact inside
   * one group, and a phone number is unique per group only. Required.
   */
  groupId: string;
}

export const SmsPartnerOptionsSchema = v.strictObject({
  ...commonOptionEntries,
  apiKey: secretSchema,
  groupId: v.pipe(v.string('expected a string'), v.minLength(1, 'required'), v.maxLength(256)),
});
