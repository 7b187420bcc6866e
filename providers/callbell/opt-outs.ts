import type { ContactStore } from '../../src/contact-store.js';
import type { OptOutDriver } from '../../src/opt-outs.js';

/**
 * Callbell has no stop list to write: a contact that blocked the WhatsApp number carries
 * `blockedAt` (read only). The opt-outs are the store's contacts that have one.
 */
export function callbellOptOuts(store: Pick<ContactStore, 'list'>): OptOutDriver {
  return {
    async *list({ signal }) {
      for await (const contact of store.list({ signal })) {
        const blockedAt = (contact.raw as { blockedAt?: unknown } | null)?.blockedAt;
        if (typeof blockedAt !== 'string' || !blockedAt) continue;
        // An opt-out is a phone's: a phone-less contact's block stays on the contact (`raw`).
        if (contact.phone === undefined) continue;
        const time = Date.parse(blockedAt);
        yield {
          phone: contact.phone,
          provider: 'callbell',
          channel: 'whatsapp',
          id: contact.id,
          ...(Number.isNaN(time) ? {} : { at: new Date(time).toISOString() }),
          raw: { uuid: contact.id, blockedAt },
        };
      }
    },
  };
}
