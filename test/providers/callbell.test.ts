import { describeContactStore } from '../contract.js';
import { callbellHarness } from './support/harnesses.js';

describeContactStore(callbellHarness());
