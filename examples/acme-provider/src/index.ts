// The production entry: the store and its definition. The emulator is a separate entry
// (`contact-sync-acme/emulator`), so no test double ships in what an application imports.
export type { AcmeOptions } from './options.js';
export { acmeProvider, createAcmeContactStore } from './store.js';
