import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from '../emulator.js';
import {
  contactBody,
  type EmulatedField,
  type EmulatedList,
  FIRST_CONTACT_ID,
  type FieldsShape,
  INVALID_CONTACT_ID,
  INVALID_PHONE,
  isResponse,
  isVendorPhone,
  PHONE_EXISTS,
  readFieldValues,
  readGroups,
  readPage,
  refusal,
  type StoredContact,
  vendorDateTime,
} from './book.js';

import { createNotificoreStopList, type NotificoreStopList } from './stop-list.js';

export type { EmulatedField, EmulatedList, FieldsShape } from './book.js';

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

const UNAUTHENTICATED: EmulatorResponse = { status: 401, body: { message: 'Unauthenticated.' } };

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An in-memory Notificore API 2.0 contact book: JWT login, 401 for a missing or stale token, a
 * phone unique per account, 422 refusals with the vendor's messages, custom fields by id, offset
 * pages, the search endpoint, 204 on delete, `created_at` as `Y-m-d H:i:s`.
 */
export function createNotificoreEmulator(
  options: NotificoreEmulatorOptions = {},
): NotificoreEmulator {
  const apiKey = options.apiKey ?? 'test-key';
  const fields = options.fields ?? DEFAULT_FIELDS;
  const lists = options.lists ?? [{ id: 56147, name: 'Newsletter' }];
  const shape = options.fieldsShape ?? 'list';
  const now = options.now ?? (() => new Date());
  const createdAt = vendorDateTime(now());
  const tokens = new Map<string, number>();
  const issued: string[] = [];
  const recentCreates = new Map<string, number>();
  let contacts = new Map<number, StoredContact>();
  const stopList = createNotificoreStopList(now);
  let nextId = FIRST_CONTACT_ID;

  const body = (contact: StoredContact) => contactBody(contact, lists, shape, createdAt);
  const byPhone = (phone: number) => [...contacts.values()].find((item) => item.phone === phone);

  function issueToken(): string {
    const count = issued.length + 1;
    const iat = Math.floor(now().getTime() / 1000);
    const payload = base64url({ sub: 'emulated-account', iat, exp: iat + 3600, jti: count });
    const signature = Buffer.from(`notificore-emulator-${count}-${iat}`).toString('base64url');
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
    const groups = readGroups(input.groups, lists);
    if (isResponse(groups)) return groups;
    const values = readFieldValues(input.fields, fields);
    if (isResponse(values)) return values;
    const contact: StoredContact = {
      id: nextId++,
      phone: input.phone,
      fields: new Map(),
      groups,
      created_at: vendorDateTime(now()),
    };
    for (const [id, value] of values) if (value !== null) contact.fields.set(id, value);
    contacts.set(contact.id, contact);
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

  function update(contact: StoredContact, request: EmulatorRequest): EmulatorResponse {
    const input = (request.body ?? {}) as Record<string, unknown>;
    if (input.phone === undefined) return refusal('The phone field is required.');
    if (!isVendorPhone(input.phone)) return refusal(INVALID_PHONE);
    const holder = byPhone(input.phone);
    if (holder && holder.id !== contact.id) return refusal(PHONE_EXISTS);
    const groups = readGroups(input.groups, lists);
    if (isResponse(groups)) return groups;
    const values = readFieldValues(input.fields, fields);
    if (isResponse(values)) return values;
    contact.phone = input.phone;
    // Lists are added to, never removed by an update (the docs: "add the contact to the list").
    contact.groups = [...new Set([...contact.groups, ...groups])];
    // Fields merge by id; an empty value clears one (the replace/merge question is unconfirmed).
    for (const [id, value] of values) {
      if (value === null) contact.fields.delete(id);
      else contact.fields.set(id, value);
    }
    return { status: 200, body: { data: body(contact) } };
  }

  function list(query: URLSearchParams): EmulatorResponse {
    const page = readPage(query, 30);
    if (isResponse(page)) return page;
    const groups = query.getAll('groups[]').map(Number);
    const all = [...contacts.values()].filter(
      (contact) => !groups.length || contact.groups.some((id) => groups.includes(id)),
    );
    const data = all.slice(page.offset, page.offset + page.limit).map(body);
    return { status: 200, body: { data, total: all.length } };
  }

  function search(query: URLSearchParams): EmulatorResponse {
    const page = readPage(query, 50);
    if (isResponse(page)) return page;
    const field = query.get('search[field]') ?? 'id';
    const operator = query.get('search[operator]') ?? query.get('search[operation]') ?? '=';
    const value = query.get('search[value]') ?? '';
    if (!['id', 'phone'].includes(field) || !['=', 'like'].includes(operator)) {
      return refusal('The selected search operator is invalid.');
    }
    const matches = [...contacts.values()].filter((contact) => {
      const held = String(field === 'id' ? contact.id : contact.phone);
      return operator === 'like' ? held.includes(value.replaceAll('%', '')) : held === value;
    });
    return {
      status: 200,
      body: {
        data: matches.slice(page.offset, page.offset + page.limit).map(body),
        meta: {
          page: { total: matches.length, limit: page.limit, offset: page.offset },
          search: { field, operator, value },
        },
      },
    };
  }

  function contactRoute(id: string, request: EmulatorRequest): EmulatorResponse {
    const contact = /^\d+$/.test(id) ? contacts.get(Number(id)) : undefined;
    if (!contact) return refusal(INVALID_CONTACT_ID);
    if (request.method === 'GET') return { status: 200, body: { data: body(contact) } };
    if (request.method === 'PUT') return update(contact, request);
    if (request.method === 'DELETE') {
      contacts.delete(contact.id);
      return { status: 204 };
    }
    return notAllowed();
  }

  function handle(request: EmulatorRequest): EmulatorResponse {
    const { method, path } = request;
    if (path === '/api/auth/login') return method === 'POST' ? login(request) : notAllowed();
    if (!authorized(request)) return UNAUTHENTICATED;
    const stopped = stopList.handle(request);
    if (stopped) return stopped;
    if (path === '/api/auth/refresh' && method === 'POST') {
      return { status: 200, body: { bearer: issueToken() } };
    }
    if (path === '/api/contacts/fields' && method === 'GET') {
      return { status: 200, body: { data: fields.map(fieldBody) } };
    }
    if (path === '/api/contacts/search' && method === 'GET') return search(request.query);
    if (path === '/api/groups' && method === 'GET') {
      return { status: 200, body: { data: lists.map(listBody), total: lists.length } };
    }
    if (path === '/api/contacts') {
      if (method === 'GET') return list(request.query);
      if (method === 'POST') return create(request);
      return notAllowed();
    }
    const match = /^\/api\/contacts\/([^/]+)$/.exec(path);
    if (match) return contactRoute(decodeURIComponent(match[1] as string), request);
    return { status: 404, body: { message: 'Not Found' } };
  }

  const listBody = (list: EmulatedList) => ({
    ...list,
    description: '',
    default: false,
    created_at: createdAt,
    items: [...contacts.values()].filter((contact) => contact.groups.includes(list.id)).length,
  });

  return {
    provider: 'notificore',
    basePath: '',
    handle,
    contacts: (): EmulatedContact[] =>
      [...contacts.values()].map((contact) => ({
        id: String(contact.id),
        phone: `+${contact.phone}`,
        record: body(contact),
      })),
    stopList,
    reset() {
      stopList.reset();
      contacts = new Map();
      nextId = FIRST_CONTACT_ID;
      recentCreates.clear();
    },
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    issuedTokens: () => [...issued],
  };
}

function fieldBody(field: EmulatedField) {
  return {
    id: field.id,
    name: field.name,
    type: field.type ?? 'text',
    description: null,
    is_visible: true,
  };
}

function notAllowed(): EmulatorResponse {
  return { status: 405, body: { message: 'Method Not Allowed' } };
}
