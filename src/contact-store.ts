import type { Contact, ContactInput, ContactPatch } from './contact.js';
import type { OptInResult, OptOut, OptOutResult, OptOutSupport } from './opt-outs.js';

/** How a store performs an operation. */
export type CapabilitySupport = 'native' | 'emulated' | 'unsupported';

/** Which operations a store can do, and how, known before anyone calls them. */
export interface Capabilities {
  create: CapabilitySupport;
  get: CapabilitySupport;
  update: CapabilitySupport;
  delete: CapabilitySupport;
  list: CapabilitySupport;
  /** Emulated where the vendor has no lookup and the store scans every page. */
  findByPhone: CapabilitySupport;
  upsert: CapabilitySupport;
  /** Whether `update` may change the phone number. */
  changePhone: CapabilitySupport;
  tags: CapabilitySupport;
  assignedUser: CapabilitySupport;
  /**
   * Opt-outs (design §11): `native` (a stop list to read and write), `read` (shown, not
   * writable), `unsupported`. Absent on stores written before it: read as `unsupported`.
   */
  optOut?: OptOutSupport;
}

export interface CallOptions {
  /** Cancels the call, including any retry wait; rejects `aborted`. */
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** Stop after this many contacts. Default: every contact. */
  limit?: number;
}

/** A request as it would be sent, with every secret shown as `'[redacted]'`. */
export interface HttpRequestPreview {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export type UpsertAction = 'created' | 'updated' | 'unchanged';

export interface UpsertResult {
  action: UpsertAction;
  contact: Contact;
}

export interface ReconcileResult {
  action: 'updated' | 'unchanged';
  contact: Contact;
}

export type PreviewOperation = 'create' | 'update' | 'delete';

/** One vendor's contact book behind the common model. */
export interface ContactStore {
  readonly provider: string;
  readonly capabilities: Capabilities;
  /** Rejects `conflict` (with `existingId` when known) when the vendor already holds the phone. */
  create(input: ContactInput, options?: CallOptions): Promise<Contact>;
  /** Rejects `not_found` for an unknown id. Resolves the whole contact as the vendor now holds it. */
  update(id: string, patch: ContactPatch, options?: CallOptions): Promise<Contact>;
  /** Resolves `undefined` for an unknown id. */
  get(id: string, options?: CallOptions): Promise<Contact | undefined>;
  findByPhone(phone: string, options?: CallOptions): Promise<Contact | undefined>;
  /** Rejects `not_found` for an unknown id. */
  delete(id: string, options?: CallOptions): Promise<void>;
  /** Follows every page. */
  list(options?: ListOptions): AsyncIterable<Contact>;
  upsert(input: ContactInput, options?: CallOptions): Promise<UpsertResult>;
  /**
   * Brings the contact `id` in line with `input`, writing only when the vendor holds something
   * else: `unchanged` costs one read and no write. Rejects `not_found` when the id is gone.
   * Optional for stores you write yourself; ContactSync uses it for linked keys when present.
   */
  reconcile?(id: string, input: ContactInput, options?: CallOptions): Promise<ReconcileResult>;
  /** The vendor's opt-outs (its stop list), where `capabilities.optOut` is `native` or `read`. */
  optOuts?(options?: ListOptions): AsyncIterable<OptOut>;
  /** Puts a phone on the vendor's stop list (idempotent), where `capabilities.optOut` is `native`. */
  optOut?(phone: string, options?: CallOptions): Promise<OptOutResult>;
  /** Takes a phone off the stop list (idempotent); never called for you. Where `native`. */
  optIn?(phone: string, options?: CallOptions): Promise<OptInResult>;
  /** The request an operation would send; sends nothing. Validates like the operation itself. */
  preview(
    operation: PreviewOperation,
    input: ContactInput | ContactPatch,
    id?: string,
  ): HttpRequestPreview;
}
