// Placeholder until the adapter lands; replaced by the notificore adapter.
import type { ContactStore } from '../../src/contact-store.js';
import type { CommonOptions } from '../../src/options.js';

export interface NotificoreOptions extends CommonOptions {}

export function createNotificoreContactStore(_options: NotificoreOptions): ContactStore {
  throw new Error('not implemented');
}
