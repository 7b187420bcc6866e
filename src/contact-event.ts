import type { Contact } from './contact.js';

/** What a vendor told us about one of its contacts, changed on its side (a webhook, a poll). */
export interface ContactEvent {
  /** The vendor that sent it (`'callbell'`). */
  provider: string;
  /** What happened to the contact on the vendor's side. */
  type: 'created' | 'updated' | 'deleted';
  /** The vendor's contact id. */
  id: string;
  /** Your key for that contact, when the link store knows it (`links.findKey`). */
  key?: string;
  /** The contact as the vendor now holds it, in the common model (absent on `deleted`). */
  contact?: Contact;
  /** When it happened, ISO 8601: the vendor's own time where it sends one, else when it was sent. */
  at: string;
}
