import { describeContactStore } from '../contract.js';
import { notificoreHarness } from './support/harnesses.js';

describeContactStore(notificoreHarness());
