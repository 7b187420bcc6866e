// The production entry: the store and its definition. The emulator is a separate entry
// (`contact-sync-acme/emulator`), so no test double ships in what an application imports.
// `provider` is the export a contact-sync config file's `"providers": ["contact-sync-acme"]`
// reads (the CLI, and through it the worker, then know `"provider": "acme"`).
export type { AcmeOptions } from './options.js';
export { acmeProvider, acmeProvider as provider, createAcmeContactStore } from './store.js';
