// The emulator contract ships with `contact-sync/testing` (adapters outside this package write
// emulators too); the sandbox's vendors and server import it from here.
export {
  createFaultQueue,
  type EmulatedContact,
  type EmulatedStopEntry,
  type EmulatorRequest,
  type EmulatorResponse,
  type ProviderEmulator,
  serializeAnswer,
  type TargetedFault,
} from '../src/testing/emulator.js';
