import { createBrevoContactStore } from '../../../providers/brevo/index.js';
import { createCallbellContactStore } from '../../../providers/callbell/index.js';
import { createNotificoreContactStore } from '../../../providers/notificore/index.js';
import { createSmsPartnerContactStore } from '../../../providers/smspartner/index.js';
import { createBrevoEmulator } from '../../../sandbox/brevo/emulator.js';
import { createCallbellEmulator } from '../../../sandbox/callbell/emulator.js';
import { createNotificoreEmulator } from '../../../sandbox/notificore/emulator.js';
import { createSmsPartnerEmulator } from '../../../sandbox/smspartner/emulator.js';
import type { ContractHarness } from '../../contract.js';

/** Each vendor's harness for the ContactStore contract, with a fresh emulator. */
export function smsPartnerHarness(): ContractHarness {
  const emulator = createSmsPartnerEmulator({ apiKey: 'sp-valid-key-1234', groups: ['group-1'] });
  return {
    provider: 'smspartner',
    origin: 'https://api.smspartner.fr',
    emulator,
    createStore: (options = {}) =>
      createSmsPartnerContactStore({ apiKey: 'sp-valid-key-1234', groupId: 'group-1', ...options }),
    createUnauthorizedStore: (options = {}) =>
      createSmsPartnerContactStore({
        apiKey: 'sp-wrong-key-9876',
        groupId: 'group-1',
        retry: { minTimeout: 0, maxTimeout: 0 },
        rateLimit: false,
        ...options,
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
  };
}

export function callbellHarness(): ContractHarness {
  const emulator = createCallbellEmulator({ apiToken: 'cb-valid-token' });
  return {
    provider: 'callbell',
    origin: 'https://api.callbell.eu',
    emulator,
    createStore: (options = {}) =>
      createCallbellContactStore({ apiToken: 'cb-valid-token', ...options }),
    createUnauthorizedStore: (options = {}) =>
      createCallbellContactStore({
        apiToken: 'cb-wrong-token',
        retry: { minTimeout: 0 },
        rateLimit: false,
        ...options,
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
  };
}

export function notificoreHarness(): ContractHarness {
  const emulator = createNotificoreEmulator();
  const fieldMap = { firstName: 25964, lastName: 25965, name: 25966, birthday: 25967, url: 25968 };
  return {
    provider: 'notificore',
    origin: 'https://one-api.notificore.ru',
    emulator,
    createStore: (options) =>
      createNotificoreContactStore({ apiKey: 'test-key', fieldMap, pageSize: 15, ...options }),
    createUnauthorizedStore: (options = {}) =>
      createNotificoreContactStore({ apiKey: 'wrong-key', retry: { minTimeout: 0 }, ...options }),
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
  };
}

export function brevoHarness(): ContractHarness {
  const emulator = createBrevoEmulator({ apiKey: 'xkeysib-valid-key-1234' });
  return {
    provider: 'brevo',
    origin: 'https://api.brevo.com',
    emulator,
    createStore: (options = {}) =>
      createBrevoContactStore({ apiKey: 'xkeysib-valid-key-1234', pageSize: 10, ...options }),
    createUnauthorizedStore: (options = {}) =>
      createBrevoContactStore({
        apiKey: 'xkeysib-wrong-key-9876',
        retry: { minTimeout: 0 },
        rateLimit: false,
        ...options,
      }),
    secrets: ['xkeysib-valid-key-1234', 'xkeysib-wrong-key-9876'],
    pageSize: 10,
    validationFault: {
      path: /^\/contacts$/,
      method: 'POST',
      status: 400,
      body: { code: 'invalid_parameter', message: 'Invalid phone number' },
    },
    createPath: /^\/contacts$/,
  };
}

/** Every shipped vendor's harness: the one list the cross-vendor contract files iterate. */
export function allHarnesses(): ContractHarness[] {
  return [smsPartnerHarness(), callbellHarness(), notificoreHarness(), brevoHarness()];
}
