export { createNotificoreContactStore, NOTIFICORE_BASE_URL } from './notificore-contact-store.js';
export type { NotificoreOptions } from './notificore-options.js';
