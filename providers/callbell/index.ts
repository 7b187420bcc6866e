export {
  CALLBELL_BASE_URL,
  CALLBELL_REQUESTS_PER_SECOND,
  createCallbellContactStore,
} from './callbell-contact-store.js';
export {
  type CallbellEmulatorChannel,
  type CallbellEmulatorOptions,
  createCallbellEmulator,
} from './callbell-emulator.js';
export type { CallbellOptions } from './callbell-options.js';
