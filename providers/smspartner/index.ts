export {
  createSmsPartnerContactStore,
  SMS_PARTNER_CAPABILITIES,
  type SmsPartnerOptions,
  smsPartnerProvider,
} from './store.js';
