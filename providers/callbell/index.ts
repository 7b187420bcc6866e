export type { CallbellOptions } from './options.js';
export { callbellProvider, createCallbellContactStore } from './store.js';
