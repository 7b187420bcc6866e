export { createCallbellContactStore } from './callbell-contact-store.js';
export { type CallbellEmulatorOptions, createCallbellEmulator } from './callbell-emulator.js';
export type { CallbellOptions } from './callbell-options.js';
