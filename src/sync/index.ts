export { createContactSync } from './contact-sync.js';
export { type FileLinkStoreOptions, fileLinkStore } from './file-link-store.js';
export type { LinkStore } from './link-store.js';
export { memoryLinkStore } from './memory-link-store.js';
export { DEFAULT_CONCURRENCY } from './push-many.js';
export { KEY_MAX_LENGTH } from './sync-input.js';
export type {
  OptOutApplyResult,
  OptOutSource,
  OptOutSyncReport,
  SyncedOptOut,
  SyncOptOutsOptions,
} from './sync-opt-outs.js';
export type {
  ContactSync,
  ContactSyncOptions,
  PushManyOptions,
  PushOptions,
  PushProgress,
  PushReport,
  PushResult,
  PushStatus,
  RemoveReport,
  RemoveResult,
  RemoveStatus,
  SyncPolicy,
  SyncRecord,
} from './sync-types.js';
