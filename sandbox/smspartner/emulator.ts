import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from '../emulator.js';
import { bulkAdd } from './bulk.js';
import {
  type EmulatedSmsPartnerContact,
  echoOf,
  knownKeys,
  readSide,
  readWritableContact,
  type WritableValues,
} from './fields.js';
import { createSmsPartnerStopList, type SmsPartnerStopList } from './stop-list.js';

export interface SmsPartnerEmulatorOptions {
  /** The API key the emulator accepts; any other gets code 10. Default `'test-key'`. */
  apiKey?: string;
  /** The groups (contact lists) that exist, by id. Default `['group-1']`. */
  groups?: string[];
}

export interface SmsPartnerEmulator extends ProviderEmulator {
  /** The groups that exist now (configured, and any made through `group/add`). */
  groups(): string[];
  /** The account's STOP list (`stop-sms/*`). */
  readonly stopList: SmsPartnerStopList;
}

interface Group {
  token: string;
  name: string;
  /** What `contact/detail` shows as `groupId`: a number, as in the vendor's example. */
  number: number;
  createdAt: string;
}

const PAGE_SIZE = 20;
const BULK_LIMIT = 500;

type Body = Record<string, unknown>;

/**
 * SMS Partner's contact API in memory: groups, contacts unique by phone per group (code 15),
 * opaque string ids, `{ success, code }` envelopes on HTTP 200 for every business error (the
 * vendor's status use is unconfirmed; the adapter reads the body either way), 20 contacts per
 * list page with `total` a string, read-side names (`phone`, `shortUrl`, `""` for unset),
 * updates that apply and echo only the fields sent.
 */
export function createSmsPartnerEmulator(
  options: SmsPartnerEmulatorOptions = {},
): SmsPartnerEmulator {
  const apiKey = options.apiKey ?? 'test-key';
  const configured = options.groups ?? ['group-1'];
  const groups = new Map<string, Group>();
  const contacts = new Map<string, EmulatedSmsPartnerContact>();
  const stopList = createSmsPartnerStopList();
  let sequence = 0;

  function resetGroups() {
    groups.clear();
    for (const token of configured) addGroup(token, token);
  }
  function addGroup(token: string, name: string): Group {
    const group = { token, name, number: 6363 + groups.size, createdAt: timestamp() };
    groups.set(token, group);
    return group;
  }
  function nextId(): string {
    sequence += 1;
    // A bijection of the counter: ids look opaque but never repeat.
    return (Math.imul(sequence, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  }
  const holder = (group: string, phone: string) =>
    [...contacts.values()].find((contact) => contact.group === group && contact.phone === phone);

  function add(body: Body): EmulatorResponse {
    const token = stringParam(body.groupId);
    if (!token) return fail(1, 'Le groupId est requis');
    const group = groups.get(token);
    if (!group) return fail(404, "Le groupe n'existe pas");
    if (body.contactsList !== undefined) {
      if (!Array.isArray(body.contactsList))
        return fail(2, 'Les informations du contact sont requises');
      if (body.contactsList.length > BULK_LIMIT)
        return fail(50, 'Pas plus de 500 contacts par requête');
      const book = {
        holds: (phone: string) => holder(token, phone) !== undefined,
        store: (values: WritableValues) => store(token, values),
      };
      return { status: 200, body: bulkAdd(group, body.contactsList, book) };
    }
    const contact = asRecord(body.contact);
    if (!contact || typeof contact.phoneNumber !== 'string' || !contact.phoneNumber) {
      return fail(2, 'Les informations du contact sont requises');
    }
    const { values, errors } = readWritableContact(contact);
    if (errors.length) return fail(9, undefined, { error: errors });
    if (holder(token, values.phone as string))
      return fail(15, 'Le numéro existe déjà dans ce groupe');
    const stored = store(token, values);
    return ok({ contact: echoOf(contact, stored.contactId) });
  }

  function store(group: string, values: WritableValues) {
    const stored: EmulatedSmsPartnerContact = {
      contactId: nextId(),
      group,
      phone: '',
      firstname: '',
      lastname: '',
      url: '',
      shortUrl: '',
      date: '',
      custom1: '',
      custom2: '',
      custom3: '',
      custom4: '',
      createdAt: timestamp(),
      stopSms: false,
      ...values,
    };
    contacts.set(stored.contactId, stored);
    return stored;
  }

  function update(body: Body): EmulatorResponse {
    const id = stringParam(body.contactId);
    if (!id) return fail(1, 'Le contactId est requis');
    const current = contacts.get(id);
    if (!current) return fail(404, "Le contact n'existe pas");
    const contact = asRecord(body.contact);
    if (!contact || knownKeys(contact).length === 0) {
      return fail(2, 'Les informations du contact sont requises');
    }
    const { values, errors } = readWritableContact(contact);
    if (errors.length) return fail(9, undefined, { error: errors });
    const other = values.phone === undefined ? undefined : holder(current.group, values.phone);
    if (other && other.contactId !== id) return fail(15, 'Le numéro existe déjà dans ce groupe');
    Object.assign(current, values);
    return ok({ contact: echoOf(contact, id) });
  }

  function remove(body: Body): EmulatorResponse {
    const id = stringParam(body.contactId);
    if (!id) return fail(1, 'Le contactId est requis');
    if (!contacts.delete(id)) return fail(404, "Le contact n'existe pas");
    return ok({});
  }

  function detail(query: URLSearchParams): EmulatorResponse {
    const id = query.get('contactId');
    if (!id) return fail(1, 'Le contactId est requis');
    const contact = contacts.get(id);
    if (!contact) return fail(404, "Le contact n'existe pas");
    return ok({ contact: readSide(contact, groups.get(contact.group)?.number) });
  }

  function list(query: URLSearchParams): EmulatorResponse {
    const token = query.get('groupId');
    if (!token) return fail(1, 'Le groupId est requis');
    if (!groups.has(token)) return fail(404, "Le groupe n'existe pas");
    const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
    const members = [...contacts.values()].filter((contact) => contact.group === token);
    const datas = members
      .slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
      .map((contact) => readSide(contact));
    return ok({ currentPage: page, total: String(members.length), datas });
  }

  function groupAdd(body: Body): EmulatorResponse {
    const name = stringParam(body.name);
    if (!name) return fail(1, 'Le nom est requis');
    const group = addGroup(nextId(), name);
    return ok({ name, groupId: group.token });
  }

  function groupDelete(body: Body): EmulatorResponse {
    const token = stringParam(body.groupId);
    if (!token) return fail(1, 'Le groupId est requis');
    if (!groups.delete(token)) return fail(404, "Le groupe n'existe pas");
    // Contacts only exist inside a group (unconfirmed what the vendor does with them).
    for (const [id, contact] of contacts) if (contact.group === token) contacts.delete(id);
    return ok({});
  }

  function groupList(): EmulatorResponse {
    const list = [...groups.values()].map((group) => ({
      id: group.token,
      name: group.name,
      createdAt: group.createdAt,
      isSpecialFile: false,
      isLocationFile: false,
    }));
    return ok({ groups: list });
  }

  const routes: Record<
    string,
    { methods: string[]; run(body: Body, query: URLSearchParams): EmulatorResponse }
  > = {
    '/contact/add': { methods: ['POST'], run: (body) => add(body) },
    '/contact/update': { methods: ['POST'], run: (body) => update(body) },
    '/contact/delete': { methods: ['POST'], run: (body) => remove(body) },
    '/contact/detail': { methods: ['GET'], run: (_body, query) => detail(query) },
    '/contact/list': { methods: ['GET'], run: (_body, query) => list(query) },
    '/group/add': { methods: ['POST'], run: (body) => groupAdd(body) },
    '/group/list': { methods: ['GET'], run: () => groupList() },
    // Documented as DELETE, demonstrated as POST: both are accepted.
    '/group/delete': { methods: ['POST', 'DELETE'], run: (body) => groupDelete(body) },
    ...stopList.routes,
  };

  resetGroups();
  return {
    provider: 'smspartner',
    basePath: '/v1',
    handle(request: EmulatorRequest): EmulatorResponse {
      const route = routes[request.path.replace(/\/+$/, '')];
      if (!route) return { status: 404, body: 'Not Found' };
      if (!route.methods.includes(request.method))
        return { status: 405, body: 'Method Not Allowed' };
      let body: Body = {};
      if (request.method !== 'GET') {
        if (typeof request.body === 'string') return fail(90, 'Erreur de syntaxe JSON');
        body = asRecord(request.body) ?? {};
      }
      // The key travels in the body of a POST, in the query of a GET.
      const key = request.method === 'GET' ? request.query.get('apiKey') : body.apiKey;
      if (key !== apiKey) return fail(10, 'Clef API incorrecte');
      return route.run(body, request.query);
    },
    contacts(): EmulatedContact[] {
      return [...contacts.values()].map((contact) => ({
        id: contact.contactId,
        phone: contact.phone,
        record: readSide(contact, groups.get(contact.group)?.number),
      }));
    },
    groups: () => [...groups.keys()],
    stopList,
    reset() {
      contacts.clear();
      stopList.reset();
      resetGroups();
    },
  };
}

function ok(payload: Body): EmulatorResponse {
  return { status: 200, body: { success: true, code: 200, ...payload } };
}

function fail(code: number, message?: string, extra: Body = {}): EmulatorResponse {
  return { status: 200, body: { success: false, code, ...(message ? { message } : {}), ...extra } };
}

function asRecord(value: unknown): Body | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : undefined;
}

/** Ids and names as the vendor takes them: strings, or numbers written as JSON numbers. */
function stringParam(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value ? value : undefined;
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
