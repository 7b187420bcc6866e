import { abortError } from '../../../src/abort.js';
import type { Contact, ContactInput, ContactPatch, Warning } from '../../../src/contact.js';
import type { CallOptions, Capabilities, ContactStore } from '../../../src/contact-store.js';
import { ContactSyncError } from '../../../src/errors.js';

const CAPABILITIES: Capabilities = {
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'native',
  findByPhone: 'native',
  upsert: 'emulated',
  changePhone: 'native',
  tags: 'native',
  assignedUser: 'native',
};

type Operation = 'create' | 'update' | 'get' | 'findByPhone' | 'delete' | 'upsert';

/** An in-memory ContactStore with controllable failures and delays, unique by phone. */
export interface FakeContactStore extends ContactStore {
  readonly contacts: Map<string, Contact>;
  /** Every call, in order, with the id or phone it concerned. */
  readonly calls: { operation: Operation; id?: string; phone?: string }[];
  /** Inputs as received by create/update/upsert (to check what the store was given). */
  readonly received: unknown[];
  /** The next `times` calls of `operation` reject with `error` (every call when omitted). */
  fail(operation: Operation, error: unknown, times?: number): void;
  /** Holds every call until the returned function is called. */
  hold(): () => void;
  /** Calls currently waiting on `hold()`. */
  waiting(): number;
}

export function createFakeContactStore(
  provider: string,
  settings: {
    warnings?: Warning[];
    /** Runs before every call (after `hold`): await something to delay it, throw to fail it. */
    before?: (operation: Operation, subject: { id?: string; phone?: string }) => unknown;
  } = {},
): FakeContactStore {
  const contacts = new Map<string, Contact>();
  const calls: FakeContactStore['calls'] = [];
  const received: unknown[] = [];
  const failures = new Map<Operation, { error: unknown; times: number }>();
  let gate: Promise<void> | undefined;
  let waiting = 0;
  let nextId = 1;

  async function enter(
    operation: Operation,
    options?: CallOptions,
    subject: { id?: string; phone?: string } = {},
  ) {
    calls.push({ operation, ...subject });
    const delay = Promise.all([gate, settings.before?.(operation, subject)]);
    const held = gate !== undefined;
    if (held) waiting += 1;
    const signal = options?.signal;
    try {
      await Promise.race([
        delay,
        new Promise<never>((_, reject) => {
          const onAbort = () => reject(abortError(signal, { provider, operation }));
          if (signal?.aborted) onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (held) waiting -= 1;
    }
    const failure = failures.get(operation);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      throw failure.error;
    }
  }

  const notFound = (operation: string) =>
    new ContactSyncError({ code: 'not_found', provider, operation, status: 404 });
  const withWarnings = (contact: Contact): Contact => ({
    ...contact,
    warnings: settings.warnings ?? [],
  });

  function findPhone(phone: string): Contact | undefined {
    return [...contacts.values()].find((contact) => contact.phone === phone);
  }

  function createNow(input: ContactInput): Contact {
    if (findPhone(input.phone!)) {
      throw new ContactSyncError({ code: 'conflict', provider, operation: 'create', status: 409 });
    }
    const id = `${provider}-${nextId++}`;
    const contact: Contact = { ...structuredClone(input), id, provider, warnings: [], raw: {} };
    contacts.set(id, contact);
    return contact;
  }

  function updateNow(id: string, patch: ContactPatch): Contact {
    const current = contacts.get(id);
    if (!current) throw notFound('update');
    const next = { ...current, ...structuredClone(patch) } as Contact;
    contacts.set(id, next);
    return next;
  }

  return {
    provider,
    capabilities: CAPABILITIES,
    contacts,
    calls,
    received,
    fail(operation, error, times = Number.POSITIVE_INFINITY) {
      failures.set(operation, { error, times });
    },
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
    waiting: () => waiting,
    async create(input, options) {
      await enter('create', options, { phone: input.phone });
      received.push(input);
      return withWarnings(createNow(input));
    },
    async update(id, patch, options) {
      await enter('update', options, { id });
      received.push(patch);
      return withWarnings(updateNow(id, patch));
    },
    async get(id, options) {
      await enter('get', options, { id });
      return contacts.get(id);
    },
    async findByPhone(phone, options) {
      await enter('findByPhone', options, { phone });
      return findPhone(phone);
    },
    async delete(id, options) {
      await enter('delete', options, { id });
      if (!contacts.delete(id)) throw notFound('delete');
    },
    async *list() {
      yield* contacts.values();
    },
    async upsert(input, options) {
      await enter('upsert', options, { phone: input.phone });
      received.push(input);
      const existing = findPhone(input.phone!);
      if (!existing) return { action: 'created', contact: withWarnings(createNow(input)) };
      const same = Object.entries(input).every(
        ([field, value]) =>
          JSON.stringify(existing[field as keyof Contact]) === JSON.stringify(value),
      );
      if (same) return { action: 'unchanged', contact: withWarnings(existing) };
      return { action: 'updated', contact: withWarnings(updateNow(existing.id, input)) };
    },
    preview(operation) {
      return {
        method: operation === 'create' ? 'POST' : 'PATCH',
        url: `https://${provider}.test/contacts`,
        headers: {},
      };
    },
  };
}
