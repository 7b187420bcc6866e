/**
 * What the contact-store cases need from the vendor's stand-in (an in-memory emulator behind a
 * `fetch` double, an emulator served on 127.0.0.1, or nock): the requests it saw, the contacts it
 * holds, and failures planned for the next matching requests. No test library is assumed.
 */
export interface VendorDouble {
  /** Every request received since the last `reset`, oldest first. */
  requests(): readonly VendorRequest[];
  /** Every contact the vendor holds now (phone in E.164). */
  contacts(): readonly HeldContact[] | Promise<readonly HeldContact[]>;
  /** Plans a failure for the next matching request(s). */
  fail(fault: VendorFault): void;
  /** Forgets every contact, the request log and the planned failures. Each case calls it first. */
  reset(): void | Promise<void>;
}

/** A contact as the vendor holds it, for the cases' counts. */
export interface HeldContact {
  /** E.164; absent on a contact known by its WhatsApp user id alone. */
  phone?: string | undefined;
  /** The contact's WhatsApp user id, where the vendor holds one (`capabilities.identity`). */
  whatsappUserId?: string | undefined;
}

/** A request as the vendor saw it. */
export interface VendorRequest {
  /** The HTTP method, upper case. */
  method: string;
  /** The path below the vendor's base URL, without the query: `/contacts/42`. */
  path: string;
}

/**
 * One planned failure: what the next matching request gets instead of (or after) the vendor's
 * own answer. The sandbox's `inject` and the emulators' fault queues take the same shape.
 */
export interface VendorFault {
  /** Only requests with this method. Default: any. */
  method?: string | undefined;
  /** Only requests whose path (below the base URL) matches. Default: any. */
  path?: RegExp | undefined;
  /** The status answered instead of the vendor's. Default 500. */
  status?: number | undefined;
  /** Headers of the answer (e.g. `retry-after`). Default: none. */
  headers?: Record<string, string> | undefined;
  /** The body answered (JSON unless a string). */
  body?: unknown | undefined;
  /** Drop the connection before the vendor sees the request, or after it handled it. */
  drop?: 'before' | 'after' | undefined;
  /** How many matching requests it applies to. Default 1. */
  times?: number | undefined;
}
