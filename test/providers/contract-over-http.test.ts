import { describeContactStore } from '../contract.js';
import { callbellHarness, notificoreHarness, smsPartnerHarness } from './support/harnesses.js';

// The same contract, over real HTTP: each emulator served by the sandbox on 127.0.0.1.
for (const harness of [smsPartnerHarness(), callbellHarness(), notificoreHarness()]) {
  describeContactStore(harness, { over: 'sandbox' });
}
