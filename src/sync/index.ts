export { createContactSync } from './contact-sync.js';
export { type DiffReport, describeChange, type FieldChange, type StoreDiff } from './diff.js';
export {
  FILE_LINK_STORE_BYTES_PER_KEY,
  type FileLinkStore,
  type FileLinkStoreOptions,
  fileLinkStore,
} from './file-link-store.js';
export type { LinkState, LinkStateStore, LinkStore } from './link-store.js';
export { memoryLinkStore } from './memory-link-store.js';
export {
  type ExportOptions,
  exportContacts,
  type MigrateOptions,
  type MigrateProgress,
  type MigrateSummary,
  type MigrateWarning,
  migrate,
} from './migrate.js';
export { DEFAULT_CONCURRENCY } from './push-many.js';
export { KEY_MAX_LENGTH } from './sync-input.js';
export type {
  OptOutApplyResult,
  OptOutSource,
  OptOutSyncReport,
  SyncedOptOut,
  SyncOptOutsOptions,
} from './sync-opt-outs.js';
export type { Verify } from './sync-state.js';
export type {
  ContactSync,
  ContactSyncOptions,
  PushCallOptions,
  PushManyOptions,
  PushOptions,
  PushProgress,
  PushReport,
  PushResult,
  PushStatus,
  RemoveReport,
  RemoveResult,
  RemoveStatus,
  SharedPhones,
  SyncPolicy,
  SyncRecord,
} from './sync-types.js';
