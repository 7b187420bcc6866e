export {
  createSmsPartnerContactStore,
  SMS_PARTNER_BASE_URL,
  SMS_PARTNER_CAPABILITIES,
  type SmsPartnerOptions,
} from './smspartner-contact-store.js';
export {
  createSmsPartnerEmulator,
  type SmsPartnerEmulator,
  type SmsPartnerEmulatorOptions,
} from './smspartner-emulator.js';
