import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createNotificoreEmulator } from '../../providers/notificore/notificore-emulator.js';
import { describeContactStore } from '../contract.js';

const origin = 'https://one-api.notificore.ru';
const emulator = createNotificoreEmulator();
const fieldMap = { firstName: 25964, lastName: 25965, name: 25966, birthday: 25967, url: 25968 };

describeContactStore({
  provider: 'notificore',
  origin,
  emulator,
  createStore: (options) =>
    createNotificoreContactStore({ apiKey: 'test-key', fieldMap, pageSize: 15, ...options }),
  createUnauthorizedStore: () =>
    createNotificoreContactStore({ apiKey: 'wrong-key', retry: { minTimeout: 0 } }),
  get secrets() {
    return ['test-key', ...emulator.issuedTokens()];
  },
  pageSize: 15,
  validationFault: {
    path: /^\/api\/contacts$/,
    method: 'POST',
    status: 422,
    body: { message: 'Invalid phone number format', errors: [] },
  },
  createPath: /^\/api\/contacts$/,
});
