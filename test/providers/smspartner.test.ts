import { describeContactStore } from '../contract.js';
import { smsPartnerHarness } from './support/harnesses.js';

describeContactStore(smsPartnerHarness());
