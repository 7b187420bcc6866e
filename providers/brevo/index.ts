export type { BrevoOptions } from './options.js';
export { brevoProvider, createBrevoContactStore } from './store.js';
