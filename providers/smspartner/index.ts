// Placeholder until the adapter lands; replaced by the smspartner adapter.
import type { ContactStore } from '../../src/contact-store.js';
import type { CommonOptions } from '../../src/options.js';

export interface SmsPartnerOptions extends CommonOptions {}

export function createSmsPartnerContactStore(_options: SmsPartnerOptions): ContactStore {
  throw new Error('not implemented');
}
