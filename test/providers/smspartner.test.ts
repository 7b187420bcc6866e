import {
  createSmsPartnerContactStore,
  createSmsPartnerEmulator,
} from '../../providers/smspartner/index.js';
import { describeContactStore } from '../contract.js';

const emulator = createSmsPartnerEmulator({ apiKey: 'sp-valid-key-1234', groups: ['group-1'] });

describeContactStore({
  provider: 'smspartner',
  origin: 'https://api.smspartner.fr',
  emulator,
  createStore: (options = {}) =>
    createSmsPartnerContactStore({ apiKey: 'sp-valid-key-1234', groupId: 'group-1', ...options }),
  createUnauthorizedStore: () =>
    createSmsPartnerContactStore({
      apiKey: 'sp-wrong-key-9876',
      groupId: 'group-1',
      retry: { minTimeout: 0, maxTimeout: 0 },
      rateLimit: false,
    }),
  secrets: ['sp-valid-key-1234', 'sp-wrong-key-9876'],
  pageSize: 20,
  // SMS Partner refuses a contact with its code-2 envelope (HTTP 200, as the emulator answers).
  validationFault: {
    path: /^\/contact\/add$/,
    status: 200,
    body: { success: false, code: 2, message: 'Contact information required' },
  },
  createPath: /^\/contact\/add$/,
});
