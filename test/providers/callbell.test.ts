import {
  createCallbellContactStore,
  createCallbellEmulator,
} from '../../providers/callbell/index.js';
import { describeContactStore } from '../contract.js';

const emulator = createCallbellEmulator({ apiToken: 'cb-valid-token' });

describeContactStore({
  provider: 'callbell',
  origin: 'https://api.callbell.eu',
  emulator,
  createStore: (options = {}) =>
    createCallbellContactStore({ apiToken: 'cb-valid-token', ...options }),
  createUnauthorizedStore: () =>
    createCallbellContactStore({
      apiToken: 'cb-wrong-token',
      retry: { minTimeout: 0 },
      rateLimit: false,
    }),
  secrets: ['cb-valid-token', 'cb-wrong-token'],
  pageSize: 20,
  validationFault: {
    path: /^\/contacts$/,
    method: 'POST',
    status: 422,
    body: { error: 'Tag not found: unknown' },
  },
  createPath: /^\/contacts$/,
  unsupportedCall: (store, id) => store.update(id, { phone: '+33698765432' }),
});
