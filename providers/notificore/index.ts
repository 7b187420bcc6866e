export type { NotificoreOptions } from './options.js';
export { createNotificoreContactStore, notificoreProvider } from './store.js';
