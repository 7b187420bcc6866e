import { describeContactStore } from '../contract.js';
import { allHarnesses } from './support/harnesses.js';

// The same contract through the shipped `fetch` double (`createEmulatorFetch`): no nock, no
// socket, the way an adapter outside this package runs the cases against its own emulator.
for (const harness of allHarnesses()) {
  describeContactStore(harness, { over: 'fetch' });
}
