export type { CallbellOptions } from './options.js';
export { callbellProvider, createCallbellContactStore } from './store.js';
export {
  type CallbellWebhookHandler,
  type CallbellWebhookOptions,
  callbellWebhook,
  type IgnoredCallbellEvent,
  type KeyFinder,
} from './webhook.js';
export {
  type SignatureCheck,
  signCallbellPayload,
  verifyCallbellSignature,
} from './webhook-signature.js';
export {
  CALLBELL_CONTACT_EVENTS,
  type CallbellWebhookSubscription,
  type SubscribeCallbellWebhookOptions,
  subscribeCallbellWebhook,
} from './webhook-subscription.js';
