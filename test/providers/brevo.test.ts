import { describeContactStore } from '../contract.js';
import { brevoHarness } from './support/harnesses.js';

describeContactStore(brevoHarness());
