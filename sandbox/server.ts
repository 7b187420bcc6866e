// The server of emulators ships with `contact-sync/testing` (an adapter outside this package
// serves its own emulator with it); the sandbox imports it from here.
export * from '../src/testing/serve-emulators.js';
