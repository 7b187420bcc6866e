import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from 'contact-sync/provider';

export interface AcmeEmulatorOptions {
  /** The API key it accepts in `x-api-key`; any other gets Acme's 401. */
  apiKey: string;
  /** Contacts per page when the request names no `limit`. Default 25, as Acme documents. */
  pageSize?: number;
}

interface Held {
  id: string;
  phone: string;
  first_name?: string;
  last_name?: string;
  display_name?: string;
  created_at: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const WRITABLE = ['phone', 'first_name', 'last_name', 'display_name'] as const;

/**
 * Acme's contacts API in memory, as its docs describe it: a pure request → answer function that
 * `createEmulatorFetch` (from `contact-sync/testing`) or any HTTP server can serve.
 */
export function createAcmeEmulator(options: AcmeEmulatorOptions): ProviderEmulator {
  const contacts = new Map<string, Held>();
  let nextId = 1;
  const pageSize = options.pageSize ?? 25;

  const failure = (status: number, type: string, message: string, extra = {}) => ({
    status,
    body: { error: { type, message, ...extra } },
  });
  const byPhone = (phone: string) => [...contacts.values()].find((held) => held.phone === phone);

  function write(held: Held | undefined, body: unknown): EmulatorResponse | Held {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return failure(400, 'invalid', 'expected a JSON object');
    }
    const fields = body as Record<string, unknown>;
    for (const [key, value] of Object.entries(fields)) {
      if (!(WRITABLE as readonly string[]).includes(key)) {
        return failure(422, 'invalid', `unknown field ${key}`, { field: key });
      }
      if (typeof value !== 'string') {
        return failure(422, 'invalid', `${key} must be a string`, { field: key });
      }
    }
    const phone = (fields.phone as string | undefined) ?? held?.phone;
    if (!phone || !E164.test(phone)) {
      return failure(422, 'invalid', 'phone must be in E.164', { field: 'phone' });
    }
    const owner = byPhone(phone);
    if (owner && owner.id !== held?.id) {
      return failure(409, 'duplicate', 'a contact already has this phone', {
        contact_id: owner.id,
      });
    }
    const next: Held = {
      ...(held ?? { id: `ct_${nextId++}`, created_at: new Date().toISOString() }),
      ...(fields as Partial<Held>),
      phone,
    };
    contacts.set(next.id, next);
    return next;
  }

  function list(query: URLSearchParams): EmulatorResponse {
    const phone = query.get('phone');
    if (phone !== null) {
      const match = byPhone(phone);
      return { status: 200, body: { data: match ? [match] : [], next: null } };
    }
    const limit = Math.min(Number(query.get('limit') ?? pageSize) || pageSize, 100);
    const all = [...contacts.values()];
    const after = query.get('after');
    const start = after ? all.findIndex((held) => held.id === after) + 1 : 0;
    const data = all.slice(start, start + limit);
    const last = data.at(-1);
    const next = last && start + limit < all.length ? last.id : null;
    return { status: 200, body: { data, next } };
  }

  function handle(request: EmulatorRequest): EmulatorResponse {
    if (request.headers['x-api-key'] !== options.apiKey) {
      return failure(401, 'unauthenticated', 'invalid API key');
    }
    const [, collection, rawId, extra] = request.path.split('/');
    if (collection !== 'contacts' || extra !== undefined) {
      return failure(404, 'not_found', 'no such route');
    }
    if (rawId === undefined || rawId === '') {
      if (request.method === 'GET') return list(request.query);
      if (request.method !== 'POST') return failure(405, 'method', 'not allowed');
      const created = write(undefined, request.body);
      return 'status' in created ? created : { status: 201, body: { data: created } };
    }
    const id = decodeURIComponent(rawId);
    const held = contacts.get(id);
    if (!held) return failure(404, 'not_found', 'no such contact');
    if (request.method === 'GET') return { status: 200, body: { data: held } };
    if (request.method === 'DELETE') {
      contacts.delete(id);
      return { status: 204 };
    }
    if (request.method !== 'PATCH') return failure(405, 'method', 'not allowed');
    const updated = write(held, request.body);
    return 'status' in updated ? updated : { status: 200, body: { data: updated } };
  }

  return {
    provider: 'acme',
    basePath: '/v2',
    handle,
    contacts: (): EmulatedContact[] =>
      [...contacts.values()].map((held) => ({ id: held.id, phone: held.phone, record: held })),
    reset() {
      contacts.clear();
    },
    // What a store needs to reach it: `startSandbox({ emulators })` puts it in `storeConfigs()`.
    storeOptions: { apiKey: options.apiKey },
  };
}
