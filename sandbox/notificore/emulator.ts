import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from '../emulator.js';
import { IndexedMap } from '../indexed-map.js';
import {
  type BookState,
  contactBody,
  type EmulatedField,
  type EmulatedList,
  FIRST_CONTACT_ID,
  type FieldsShape,
  INVALID_PHONE,
  isResponse,
  isVendorPhone,
  notAllowed,
  notFound,
  PHONE_EXISTS,
  readFieldValues,
  readGroups,
  refusal,
  type StoredContact,
  type UpdateSemantics,
  vendorDateTime,
} from './book.js';
import { routeContacts } from './contacts.js';
import { routeFields } from './fields.js';
import { routeGroups } from './groups.js';

import { createNotificoreStopList, type NotificoreStopList } from './stop-list.js';

export type { EmulatedField, EmulatedList, FieldsShape, UpdateSemantics } from './book.js';

/** Options of {@link createNotificoreEmulator}. */
export interface NotificoreEmulatorOptions {
  /** The API key `POST /api/auth/login` accepts. Default `'test-key'`. */
  apiKey?: string;
  /** The account's custom fields. Default: First name, Last name, Name, Birthday, Website, Company, Email. */
  fields?: EmulatedField[];
  /** The account's contact lists. Default `[{ id: 56147, name: 'Newsletter' }]`. */
  lists?: EmulatedList[];
  /** Authorized requests a JWT serves before it expires (then 401). Default: no expiry. */
  tokenRequests?: number;
  /** The shape of `fields` in contact responses (the docs show three). Default `'list'`. */
  fieldsShape?: FieldsShape;
  /**
   * Answer a create identical to one received less than this many ms before with 429 "Too many
   * duplicate request detected". Default 0 (off).
   */
  duplicateWindowMs?: number;
  /** The clock for `created_at`. Default: the system clock. */
  now?: () => Date;
  /**
   * What `PUT /api/contacts/{id}` does with fields and lists it is not sent (the vendor's docs
   * leave it open). Default `'replace'`: they are erased, the strictest reading.
   */
  updateSemantics?: UpdateSemantics;
}

export interface NotificoreEmulator extends ProviderEmulator {
  /** Expires every JWT issued so far: the next request with one answers 401. */
  expireTokens(): void;
  /** Every JWT issued so far (to check that none leaks). */
  issuedTokens(): string[];
  /** The account's stop list (`/api/stoplist`). */
  readonly stopList: NotificoreStopList;
}

const DEFAULT_FIELDS: EmulatedField[] = [
  { id: 25964, name: 'First name', type: 'text' },
  { id: 25965, name: 'Last name', type: 'text' },
  { id: 25966, name: 'Name', type: 'text' },
  { id: 25967, name: 'Birthday', type: 'date' },
  { id: 25968, name: 'Website', type: 'text' },
  { id: 25970, name: 'Company', type: 'text' },
  { id: 25971, name: 'Email', type: 'text' },
];

/** Every path the emulated API serves (a method it does not take there is 405). */
const KNOWN_PATH =
  /^\/api\/(auth\/(login|refresh)|contacts(\/fields(\/[^/]+)?|\/[^/]+)?|groups(\/[^/]+)?|stoplist(\/(search|attach|detach))?)$/;

const UNAUTHENTICATED: EmulatorResponse = { status: 401, body: { message: 'Unauthenticated.' } };

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Emulators created in this process, numbering each one's tokens apart. */
let emulatorInstances = 0;

/**
 * An in-memory Notificore API 2.0 contact book: JWT login, 401 for a missing or stale token, a
 * phone unique per account, 422 refusals with the vendor's messages, custom fields by id, offset
 * pages, the search endpoint, 204 on delete, `created_at` as `Y-m-d H:i:s`.
 */
export function createNotificoreEmulator(
  options: NotificoreEmulatorOptions = {},
): NotificoreEmulator {
  const apiKey = options.apiKey ?? 'test-key';
  const shape = options.fieldsShape ?? 'list';
  const now = options.now ?? (() => new Date());
  const tokens = new Map<string, number>();
  const issued: string[] = [];
  const recentCreates = new Map<string, number>();
  const state = initialState();
  const stopList = createNotificoreStopList(now, (groupId) =>
    state.lists.some((list) => list.id === groupId)
      ? new Set(
          [...state.contacts.values()]
            .filter((contact) => contact.groups.includes(groupId))
            .map((contact) => contact.phone),
        )
      : undefined,
  );

  function initialState(): BookState {
    const createdAt = vendorDateTime(now());
    const fields = (options.fields ?? DEFAULT_FIELDS).map((field) => ({ ...field }));
    const lists = (options.lists ?? [{ id: 56147, name: 'Newsletter' }]).map((list) => ({
      ...list,
      created_at: createdAt,
    }));
    return {
      contacts: new IndexedMap((contact: StoredContact) => contact.phone),
      lists,
      fields,
      nextListId: Math.max(1864620, ...lists.map((list) => list.id + 1)),
      nextFieldId: Math.max(25972, ...fields.map((field) => field.id + 1)),
      stamp: () => vendorDateTime(now()),
    };
  }
  let nextId = FIRST_CONTACT_ID;

  const body = (contact: StoredContact) => contactBody(contact, state.lists, shape);
  const byPhone = (phone: number) => state.contacts.find(phone);

  // Each emulator signs its own tokens: two accounts of one sandbox never get the same JWT.
  const instance = ++emulatorInstances;
  function issueToken(): string {
    const count = issued.length + 1;
    const iat = Math.floor(now().getTime() / 1000);
    const payload = base64url({ sub: 'emulated-account', iat, exp: iat + 3600, jti: count });
    const signature = Buffer.from(`notificore-emulator-${instance}-${count}-${iat}`).toString(
      'base64url',
    );
    const token = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${payload}.${signature}`;
    tokens.set(token, options.tokenRequests ?? Number.POSITIVE_INFINITY);
    issued.push(token);
    return token;
  }

  /** Spends one request of the bearer's token; false when it is missing, unknown or expired. */
  function authorized(request: EmulatorRequest): boolean {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const left = match ? tokens.get(match[1] as string) : undefined;
    if (!match || left === undefined || left <= 0) return false;
    tokens.set(match[1] as string, left - 1);
    return true;
  }

  function login(request: EmulatorRequest): EmulatorResponse {
    const given = (request.body as { api_key?: unknown } | undefined)?.api_key;
    if (typeof given !== 'string' || !given) {
      return refusal('The api key field is required.', { api_key: ['required'] });
    }
    if (given !== apiKey) return { status: 401, body: { message: 'Invalid API key' } };
    return { status: 200, body: { bearer: issueToken() } };
  }

  function create(request: EmulatorRequest): EmulatorResponse {
    const input = (request.body ?? {}) as Record<string, unknown>;
    const duplicate = duplicateOf(request);
    if (duplicate) return duplicate;
    if (input.phone === undefined) return refusal('The phone field is required.');
    if (!isVendorPhone(input.phone)) return refusal(INVALID_PHONE);
    if (byPhone(input.phone)) return refusal(PHONE_EXISTS);
    const groups = readGroups(input.groups, state.lists);
    if (isResponse(groups)) return groups;
    const values = readFieldValues(input.fields, state.fields);
    if (isResponse(values)) return values;
    const contact: StoredContact = {
      id: nextId++,
      phone: input.phone,
      fields: new Map(),
      groups: groups ?? [],
      created_at: vendorDateTime(now()),
    };
    for (const [id, value] of values) if (value !== null) contact.fields.set(id, value);
    state.contacts.set(contact.id, contact);
    return { status: 201, body: { data: body(contact) } };
  }

  function duplicateOf(request: EmulatorRequest): EmulatorResponse | undefined {
    const window = options.duplicateWindowMs ?? 0;
    if (window <= 0) return undefined;
    const key = JSON.stringify(request.body ?? null);
    const at = now().getTime();
    const last = recentCreates.get(key);
    recentCreates.set(key, at);
    return last !== undefined && at - last < window
      ? { status: 429, body: { message: 'Too many duplicate request detected' } }
      : undefined;
  }

  const contactRoutes = {
    state,
    body,
    create,
    updateSemantics: options.updateSemantics ?? 'replace',
  } as const;

  function handle(request: EmulatorRequest): EmulatorResponse {
    const { method, path } = request;
    // Routing comes before authentication, as in the vendor's framework: an unknown route is 404.
    if (!KNOWN_PATH.test(path)) return notFound();
    if (path === '/api/auth/login') return method === 'POST' ? login(request) : notAllowed();
    if (!authorized(request)) return UNAUTHENTICATED;
    const stopped = stopList.handle(request);
    if (stopped) return stopped;
    if (path === '/api/auth/refresh') {
      return method === 'POST' ? { status: 200, body: { bearer: issueToken() } } : notAllowed();
    }
    return (
      routeFields(request, state) ??
      routeContacts(request, contactRoutes) ??
      routeGroups(request, state) ??
      notFound()
    );
  }

  return {
    provider: 'notificore',
    basePath: '',
    handle,
    contacts: (): EmulatedContact[] =>
      [...state.contacts.values()].map((contact) => ({
        id: String(contact.id),
        phone: `+${contact.phone}`,
        record: body(contact),
        lists: contact.groups.map(
          (id) => state.lists.find((list) => list.id === id)?.name ?? String(id),
        ),
      })),
    stopEntries: () => stopList.entries(),
    stopList,
    reset() {
      stopList.reset();
      Object.assign(state, initialState());
      nextId = FIRST_CONTACT_ID;
      recentCreates.clear();
    },
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    issuedTokens: () => [...issued],
  };
}
