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

/** Options of {@link createSmsPartnerEmulator}. */
export interface SmsPartnerEmulatorOptions {
  /** The API key the emulator accepts; any other gets code 10. Default `'test-key'`. */
  apiKey?: string;
  /** The groups (contact lists) that exist, by id. Default `['group-1']`. */
  groups?: string[];
  /**
   * Contacts per `contact/list` page. Default 20, as the vendor's reference page says; a
   * third-party client reads 500 per page (unconfirmed), which this lets a test play too.
   */
  pageSize?: number;
}

/** A contact to put straight into a group (`seed`), with write-side names. */
export interface SmsPartnerSeedContact {
  /** E.164, new to the group. */
  phoneNumber: string;
  /** First name. Default: none. */
  firstname?: string;
  /** Last name. Default: none. */
  lastname?: string;
  /** The first custom field. Default: none. */
  custom1?: string;
}

export interface SmsPartnerEmulator extends ProviderEmulator {
  /** The groups that exist now (configured, and any made through `group/add`). */
  groups(): string[];
  /** The account's STOP list (`stop-sms/*`). */
  readonly stopList: SmsPartnerStopList;
  /**
   * Puts contacts straight into `group`, as if imported long ago (a 20,000-contact group for a
   * test, without 20,000 requests). Phones must be E.164 and new to the group.
   */
  seed(group: string, contacts: Iterable<SmsPartnerSeedContact>): void;
}

interface Group {
  token: string;
  name: string;
  /** What `contact/detail` shows as `groupId`: a number, as in the vendor's example. */
  number: number;
  createdAt: string;
  /** The group's contacts in the order they were added: the order `contact/list` pages in. */
  members: Map<string, EmulatedSmsPartnerContact>;
  /** E.164 phone → contact id: the group's uniqueness (code 15), without a scan. */
  byPhone: Map<string, string>;
  /** `members` as an array, for slicing pages; rebuilt after a change. */
  ordered?: EmulatedSmsPartnerContact[];
}

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
  const pageSize = options.pageSize ?? 20;
  const groups = new Map<string, Group>();
  const contacts = new Map<string, EmulatedSmsPartnerContact>();
  const stopList = createSmsPartnerStopList();
  let sequence = 0;

  function resetGroups() {
    groups.clear();
    for (const token of configured) addGroup(token, token);
  }
  function addGroup(token: string, name: string): Group {
    const group: Group = {
      token,
      name,
      number: 6363 + groups.size,
      createdAt: timestamp(),
      members: new Map(),
      byPhone: new Map(),
    };
    groups.set(token, group);
    return group;
  }
  function nextId(): string {
    sequence += 1;
    // A bijection of the counter: ids look opaque but never repeat.
    return (Math.imul(sequence, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  }
  const holder = (token: string, phone: string) => {
    const id = groups.get(token)?.byPhone.get(phone);
    return id === undefined ? undefined : contacts.get(id);
  };
  function leave(contact: EmulatedSmsPartnerContact): void {
    const group = groups.get(contact.group);
    if (!group) return;
    group.members.delete(contact.contactId);
    if (group.byPhone.get(contact.phone) === contact.contactId) group.byPhone.delete(contact.phone);
    group.ordered = undefined;
  }

  function add(body: Body): EmulatorResponse {
    const token = stringParam(body.groupId);
    if (!token) return fail(1, 'Le groupId est requis');
    const group = groups.get(token);
    if (!group) return fail(404, "Le groupe n'existe pas");
    if (body.contactsList !== undefined) {
      if (!Array.isArray(body.contactsList))
        return fail(2, 'Les informations du contact sont requises');
      if (body.contactsList.length === 0)
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
    const home = groups.get(group) as Group;
    home.members.set(stored.contactId, stored);
    home.byPhone.set(stored.phone, stored.contactId);
    home.ordered = undefined;
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
    const home = groups.get(current.group);
    if (home && values.phone !== undefined && values.phone !== current.phone) {
      home.byPhone.delete(current.phone);
      home.byPhone.set(values.phone as string, id);
    }
    Object.assign(current, values);
    return ok({ contact: echoOf(contact, id) });
  }

  function remove(body: Body): EmulatorResponse {
    const id = stringParam(body.contactId);
    if (!id) return fail(1, 'Le contactId est requis');
    const contact = contacts.get(id);
    if (!contact) return fail(404, "Le contact n'existe pas");
    contacts.delete(id);
    leave(contact);
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
    const group = groups.get(token);
    if (!group) return fail(404, "Le groupe n'existe pas");
    const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
    group.ordered ??= [...group.members.values()];
    const members = group.ordered;
    const datas = members
      .slice((page - 1) * pageSize, page * pageSize)
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
    const group = groups.get(token);
    if (!group) return fail(404, "Le groupe n'existe pas");
    groups.delete(token);
    // Contacts only exist inside a group (unconfirmed what the vendor does with them).
    for (const id of group.members.keys()) contacts.delete(id);
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
        lists: [contact.group],
      }));
    },
    stopEntries: () => stopList.entries(),
    groups: () => [...groups.keys()],
    stopList,
    seed(token, seeded) {
      if (!groups.has(token)) throw new Error(`no group ${token}`);
      for (const contact of seeded) {
        if (holder(token, contact.phoneNumber)) throw new Error('seed: phone already in the group');
        const { phoneNumber, ...rest } = contact;
        store(token, { ...rest, phone: phoneNumber });
      }
    },
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
