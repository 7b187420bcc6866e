import { describeContactStore } from '../contract.js';
import { allHarnesses } from './support/harnesses.js';

// The same contract, over real HTTP: each emulator served by the sandbox on 127.0.0.1.
for (const harness of allHarnesses()) {
  describeContactStore(harness, { over: 'sandbox' });
}
