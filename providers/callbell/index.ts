// Placeholder until the adapter lands; replaced by the callbell adapter.
import type { ContactStore } from '../../src/contact-store.js';
import type { CommonOptions } from '../../src/options.js';

export interface CallbellOptions extends CommonOptions {}

export function createCallbellContactStore(_options: CallbellOptions): ContactStore {
  throw new Error('not implemented');
}
