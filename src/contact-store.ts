import type { Contact, ContactInput, ContactPatch, IdentityField } from './contact.js';
import type { OptInResult, OptOut, OptOutResult, OptOutSupport } from './opt-outs.js';

/** How a store performs an operation. */
export type CapabilitySupport = 'native' | 'emulated' | 'unsupported';

/** Which operations a store can do, and how, known before anyone calls them. */
export interface Capabilities {
  /** How `create` is done. */
  create: CapabilitySupport;
  /** How `get` is done. */
  get: CapabilitySupport;
  /** How `update` is done. */
  update: CapabilitySupport;
  /** How `delete` is done. */
  delete: CapabilitySupport;
  /** How `list` is done. */
  list: CapabilitySupport;
  /** Emulated where the vendor has no lookup and the store scans every page. */
  findByPhone: CapabilitySupport;
  /** How `upsert` is done: `emulated` where it is a lookup (or create) followed by an update. */
  upsert: CapabilitySupport;
  /** Whether `update` may change the phone number. */
  changePhone: CapabilitySupport;
  /** Whether the vendor holds `tags`. */
  tags: CapabilitySupport;
  /** Whether the vendor holds `assignedUser`. */
  assignedUser: CapabilitySupport;
  /**
   * Opt-outs (design §11): `native` (a stop list to read and write), `read` (shown, not
   * writable), `unsupported`. Absent on stores written before it: read as `unsupported`.
   */
  optOut?: OptOutSupport | undefined;
  /**
   * `upsertMany`: `'native'` where the vendor has a bulk create (SMS Partner `contactsList`), so
   * ContactSync hands it the unlinked records of a `pushMany` window at once. Absent or
   * `'unsupported'`: ContactSync upserts them one by one.
   */
  upsertMany?: CapabilitySupport | undefined;
  /**
   * What can identify a contact at this vendor (design §15): `['phone']` for a store that needs a
   * phone on every contact (an input without one is `unsupported` naming `phone`, before any
   * request; a `whatsappUserId` it cannot hold is a warning), `['phone', 'whatsappUserId']` for
   * one that also holds WhatsApp users known by their BSUID alone (Callbell). Absent on stores
   * written before it: read as `['phone']` (`defineContactStore` fills it in).
   */
  identity?: readonly IdentityField[] | undefined;
}

/** Options every store call takes. */
export interface CallOptions {
  /** Cancels the call, including any retry wait; rejects `aborted`. */
  signal?: AbortSignal | undefined;
}

/** Options of `upsert`. */
export interface UpsertOptions extends CallOptions {
  /**
   * Called with the contact the vendor already holds for the phone, before anything is written
   * to it. Resolve `false` to leave it alone: the upsert then rejects `conflict` with
   * `existingId`, having written nothing. ContactSync uses it to keep one phone to one key.
   * Default: every existing contact is taken over.
   */
  claim?(existing: Contact): boolean | Promise<boolean>;
}

/** Options of `upsertMany`. */
export interface UpsertManyOptions extends CallOptions {
  /** As `UpsertOptions.claim`, for the input at `index`. Default: every contact is taken over. */
  claim?(existing: Contact, index: number): boolean | Promise<boolean>;
}

/** Options of `list` and `optOuts`. */
export interface ListOptions extends CallOptions {
  /** Stop after this many contacts. Default: every contact. */
  limit?: number | undefined;
}

/** A request as it would be sent, with every secret shown as `'[redacted]'`. */
export interface HttpRequestPreview {
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** The full URL, query included (secrets redacted). */
  url: string;
  /** The request headers (secrets redacted). */
  headers: Record<string, string>;
  /** The body, as it would be serialised; absent when the request has none. */
  body?: unknown | undefined;
}

/** What `upsert` did: created a contact, updated one, or found nothing to change. */
export type UpsertAction = 'created' | 'updated' | 'unchanged';

/** What `upsert` resolves. */
export interface UpsertResult {
  /** What it did. */
  action: UpsertAction;
  /** The contact as the vendor now holds it. */
  contact: Contact;
}

/** What `reconcile` resolves. */
export interface ReconcileResult {
  /** `unchanged` when the vendor already held the input (one read, no write). */
  action: 'updated' | 'unchanged';
  /** The contact as the vendor now holds it. */
  contact: Contact;
}

/** The operations `preview` can show. */
export type PreviewOperation = 'create' | 'update' | 'delete';

/** One vendor's contact book behind the common model. */
export interface ContactStore {
  /** The vendor's name, e.g. `'callbell'` (or a user adapter's). */
  readonly provider: string;
  /** What the store can do, and how. */
  readonly capabilities: Capabilities;
  /** Rejects `conflict` (with `existingId` when known) when the vendor already holds the phone. */
  create(input: ContactInput, options?: CallOptions): Promise<Contact>;
  /** Rejects `not_found` for an unknown id. Resolves the whole contact as the vendor now holds it. */
  update(id: string, patch: ContactPatch, options?: CallOptions): Promise<Contact>;
  /** Resolves `undefined` for an unknown id. */
  get(id: string, options?: CallOptions): Promise<Contact | undefined>;
  /**
   * The contact holding this phone (any common format; normalised first), or `undefined`.
   * Scans every page where `capabilities.findByPhone` is `emulated`.
   */
  findByPhone(phone: string, options?: CallOptions): Promise<Contact | undefined>;
  /**
   * The contact holding this WhatsApp user id (exact, case-sensitive), or `undefined`; present
   * where the vendor can look one up (Callbell `GET /contacts/bsuid/:bsuid`). Account-wide: a
   * BSUID is scoped to one Meta business portfolio, never a key across accounts.
   */
  findByWhatsAppUserId?(
    whatsappUserId: string,
    options?: CallOptions,
  ): Promise<Contact | undefined>;
  /** Rejects `not_found` for an unknown id. */
  delete(id: string, options?: CallOptions): Promise<void>;
  /** Follows every page. */
  list(options?: ListOptions): AsyncIterable<Contact>;
  /**
   * Creates the contact, or updates the one holding its phone, by the cheapest correct path;
   * `unchanged` when nothing would change. `claim` may refuse an existing contact (`conflict`).
   */
  upsert(input: ContactInput, options?: UpsertOptions): Promise<UpsertResult>;
  /**
   * `upsert` of many inputs at once, where `capabilities.upsertMany` says the vendor can create in
   * bulk: one outcome per input, in order, each as `upsert` would have settled (a failure of one
   * input is its own `rejected` outcome). Inputs must have distinct phones (ContactSync never hands
   * it two records of one phone at once); a repeated phone is that input's `invalid_input`.
   */
  upsertMany?(
    inputs: readonly ContactInput[],
    options?: UpsertManyOptions,
  ): Promise<PromiseSettledResult<UpsertResult>[]>;
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
  /**
   * A fingerprint of what this store would send and hold for `input` (design §13): a hash of its
   * own projection of the input (the fields it sends, normalized) and of the options that change
   * what is sent (`fieldMap`, `listIds`, …). Equal for inputs the store would write alike; sends
   * nothing; validates like `upsert`. ContactSync keeps it in the link and, when it matches on
   * the next push, sends nothing. Every store built by `defineContactStore` has it; a store of
   * your own without it is fingerprinted by its whole normalized input instead.
   */
  fingerprint?(input: ContactInput): string;
  /** The request an operation would send; sends nothing. Validates like the operation itself. */
  preview(
    operation: PreviewOperation,
    input: ContactInput | ContactPatch,
    id?: string,
  ): HttpRequestPreview;
}
