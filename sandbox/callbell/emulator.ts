import { randomUUID } from 'node:crypto';
import { phoneFromVendor } from '../../src/phone.js';
import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from '../emulator.js';
import { IndexedMap } from '../indexed-map.js';
import { listPage } from './list.js';
import {
  type CallbellAccount,
  type CallbellEmulatorField,
  checkFields,
  type EmulatedRecord,
  failure,
} from './rules.js';

export type { CallbellEmulatorField } from './rules.js';

/** A channel of the emulated account (one WhatsApp number, say). */
export interface CallbellEmulatorChannel {
  /** 32 hex characters, like Callbell's. */
  uuid: string;
  /** Default `'whatsapp'`. */
  type?: 'whatsapp' | 'facebook' | 'instagram' | 'telegram';
  /** The channel used when a request names none. Default: the first channel of its type. */
  main?: boolean;
}

/** Options of {@link createCallbellEmulator}. */
export interface CallbellEmulatorOptions {
  /** The bearer token accepted. Default `'test-token'`. */
  apiToken?: string;
  /** Tags that exist in the account; any other is refused. Default `['lead', 'vip', 'customer']`. */
  tags?: string[];
  /**
   * Custom fields that exist: a name (a text field) or `{ name, type, options }`. Values are
   * validated by type. Default: Company, City, First name, Last name, Website (text), Birthday
   * (date), Email (email), Seats (number), Plan (dropdown Free/Pro) and Features (checkbox Dark
   * Mode/Notifications/Analytics).
   */
  customFields?: (string | CallbellEmulatorField)[];
  /** Emails of the confirmed agents that contacts may be assigned to. Default `['agent@example.com']`. */
  users?: string[];
  /** Default: one main WhatsApp channel. */
  channels?: CallbellEmulatorChannel[];
  /**
   * Whether contacts carry their `channel` object (`{ uuid, title, type, main, discardedAt }`).
   * The Contact object documents it; which endpoints send it is unconfirmed. Default true.
   */
  contactChannel?: boolean;
  /**
   * Whether `GET /contacts` filters by a `channel_uuid` query parameter (undocumented for the
   * list). Default false: the parameter is ignored, as an unknown one would be.
   */
  listByChannel?: boolean;
}

const DEFAULT_FIELDS: CallbellEmulatorField[] = [
  { name: 'Company' },
  { name: 'City' },
  { name: 'First name' },
  { name: 'Last name' },
  { name: 'Website' },
  { name: 'Birthday', type: 'date' },
  { name: 'Email', type: 'email' },
  { name: 'Seats', type: 'number' },
  { name: 'Plan', type: 'dropdown', options: ['Free', 'Pro'] },
  { name: 'Features', type: 'checkbox', options: ['Dark Mode', 'Notifications', 'Analytics'] },
];

const SOURCES = new Set(['whatsapp', 'facebook', 'instagram', 'telegram']);
const NOT_FOUND: EmulatorResponse = { status: 404, body: { error: 'Not found' } };
const NOT_ALLOWED: EmulatorResponse = { status: 405, body: { error: 'Method not allowed' } };

/**
 * Callbell's contacts API in memory, quirks included: bearer token, tags and custom fields that
 * must pre-exist, `{ contact: [ … ] }` from create/get/update but `{ contact: { … } }` from the
 * lookup by phone, 20 contacts per page with `meta.next` cursors and the page-500 cap.
 */
export function createCallbellEmulator(options: CallbellEmulatorOptions = {}): ProviderEmulator {
  const account: CallbellAccount = {
    tags: new Set(options.tags ?? ['lead', 'vip', 'customer']),
    customFields: new Map(
      (options.customFields ?? DEFAULT_FIELDS).map((field) =>
        typeof field === 'string' ? [field, { name: field }] : [field.name, field],
      ),
    ),
    users: new Set(options.users ?? ['agent@example.com']),
  };
  const token = options.apiToken ?? 'test-token';
  const channels = (options.channels ?? [{ uuid: newUuid(), main: true }]).map((channel) => ({
    ...channel,
    type: channel.type ?? 'whatsapp',
  }));
  // Indexed by channel and identifier digits: the lookup by phone and the duplicate check on create
  // stay constant-time at CRM scale (issue 12's 20,000-record run).
  const records = new IndexedMap<string, EmulatedRecord, string>((held) =>
    identifierKey(held.contact.phoneNumber, held.channelUuid),
  );
  let sequence = 0;

  const mainChannel = (type: string) =>
    channels.find((channel) => channel.type === type && channel.main) ??
    channels.find((channel) => channel.type === type);

  /** The channel a request names, or the main one of `type`; `undefined` if there is none. */
  const channelOf = (uuid: unknown, type: string) =>
    uuid === undefined || uuid === null
      ? mainChannel(type)
      : channels.find((channel) => channel.uuid === uuid);

  function create(body: Record<string, unknown>): EmulatorResponse {
    for (const key of ['identifier', 'source', 'name'] as const) {
      if (typeof body[key] !== 'string' || !(body[key] as string).trim()) {
        return failure(422, `Missing required parameter: ${key}`);
      }
    }
    const identifier = body.identifier as string;
    const source = body.source as string;
    if (!SOURCES.has(source)) return failure(422, 'Invalid source');
    const channel = channelOf(body.channel_uuid, source);
    if (!channel || channel.type !== source) return failure(422, 'Channel not found');
    const refused = checkFields(body, account);
    if (refused) return refused;
    if (records.find(identifierKey(identifier, channel.uuid))) {
      return failure(422, 'Contact already exists');
    }
    const uuid = newUuid();
    const held: EmulatedRecord = {
      sequence: ++sequence,
      channelUuid: channel.uuid,
      contact: {
        uuid,
        name: body.name as string,
        phoneNumber: identifier,
        avatarUrl: null,
        createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        source,
        href: `https://dash.callbell.eu/contacts/${uuid}`,
        conversationHref: `https://dash.callbell.eu/chat/${newUuid()}`,
        tags: [],
        assignedUser: null,
        customFields: {},
      },
    };
    apply(held, body);
    records.set(uuid, held);
    return { status: 200, body: { contact: [present(held, false)] } };
  }

  /**
   * A record as Callbell returns it: with its `channel` unless `contactChannel` is false, and with
   * `customFieldsMetadata` (typed values, type, options) when `include_field_types=true`.
   */
  function present(held: EmulatedRecord, withTypes: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = { ...structuredClone(held.contact) };
    const channel = channels.find((item) => item.uuid === held.channelUuid);
    if (options.contactChannel !== false && channel) {
      body.channel = {
        uuid: channel.uuid,
        title: `${channel.type} ${channel.uuid.slice(0, 6)}`,
        type: channel.type,
        main: channel === mainChannel(channel.type),
        discardedAt: null,
      };
    }
    if (withTypes) body.customFieldsMetadata = metadataOf(held.contact.customFields, account);
    return body;
  }

  const withTypes = (query: URLSearchParams) => query.get('include_field_types') === 'true';

  function list(query: URLSearchParams): EmulatorResponse {
    const channelUuid = query.get('channel_uuid');
    const held = [...records.values()].filter(
      (record) => !options.listByChannel || !channelUuid || record.channelUuid === channelUuid,
    );
    return listPage(held, query, (record) => present(record, withTypes(query)));
  }

  function update(held: EmulatedRecord, body: Record<string, unknown>): EmulatorResponse {
    if (body.name !== undefined && (typeof body.name !== 'string' || !body.name.trim())) {
      return failure(422, "Name can't be blank");
    }
    const refused = checkFields(body, account);
    if (refused) return refused;
    apply(held, body);
    return { status: 200, body: { contact: [present(held, false)] } };
  }

  function findByPhone(phone: string, query: URLSearchParams): EmulatorResponse {
    const channel = channelOf(query.get('channel_uuid') ?? undefined, 'whatsapp');
    const held = channel && records.find(identifierKey(phone, channel.uuid));
    return held ? { status: 200, body: { contact: present(held, false) } } : NOT_FOUND;
  }

  function route(request: EmulatorRequest, segments: string[]): EmulatorResponse {
    const [root, second, third, ...rest] = segments;
    const body = isRecord(request.body) ? request.body : undefined;
    if (root !== 'contacts' || rest.length > 0) return NOT_FOUND;
    if (second === undefined) {
      if (request.method === 'GET') return list(request.query);
      if (request.method === 'POST')
        return body ? create(body) : failure(400, 'Invalid request body');
      return NOT_ALLOWED;
    }
    if (second === 'phone' && third !== undefined) {
      return request.method === 'GET' ? findByPhone(third, request.query) : NOT_ALLOWED;
    }
    if (third !== undefined) return NOT_FOUND;
    if (!['GET', 'PATCH', 'DELETE'].includes(request.method)) return NOT_ALLOWED;
    const held = records.get(second);
    if (!held) return NOT_FOUND;
    if (request.method === 'GET') {
      return { status: 200, body: { contact: [present(held, withTypes(request.query))] } };
    }
    if (request.method === 'PATCH') {
      return body ? update(held, body) : failure(400, 'Invalid request body');
    }
    if (request.method === 'DELETE') {
      records.delete(second);
      return { status: 200, body: { status: 'contact was destroyed' } };
    }
    return NOT_FOUND;
  }

  return {
    provider: 'callbell',
    basePath: '/v1',
    handle(request) {
      const segments = pathSegments(request.path);
      // Routing comes before authentication, as in the vendor's framework: an unknown route is 404.
      if (segments?.[0] !== 'contacts' || segments.length > 3) return NOT_FOUND;
      // Our guess at Callbell's answer to a missing or wrong key (its error bodies are undocumented).
      if (request.headers.authorization !== `Bearer ${token}`) return failure(401, 'Unauthorized');
      return route(request, segments);
    },
    contacts(): EmulatedContact[] {
      return [...records.values()].map((held) => ({
        id: held.contact.uuid,
        phone: phoneFromVendor(held.contact.phoneNumber) ?? held.contact.phoneNumber,
        record: present(held, false),
      }));
    },
    reset() {
      records.clear();
      sequence = 0;
    },
  };
}

/** Writes the validated fields of a create or update: tags replace, custom fields merge. */
function apply(held: EmulatedRecord, body: Record<string, unknown>): void {
  const { contact } = held;
  if (typeof body.name === 'string') contact.name = body.name;
  if (Array.isArray(body.tags)) contact.tags = [...new Set(body.tags as string[])];
  if (isRecord(body.custom_fields)) {
    for (const [name, value] of Object.entries(body.custom_fields)) {
      const cleared = value === null || value === '' || (Array.isArray(value) && !value.length);
      if (cleared) {
        delete contact.customFields[name];
        continue;
      }
      // Checkbox values are stored, and returned, JSON-encoded in a string.
      contact.customFields[name] = Array.isArray(value)
        ? `[${value.map((item) => JSON.stringify(item)).join(', ')}]`
        : (value as string);
    }
  }
  if (typeof body.assigned_user === 'string') contact.assignedUser = body.assigned_user;
  if (body.unassign_user === true) contact.assignedUser = null;
}

function pathSegments(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** One channel's identifier as Callbell matches it: its digits, whatever the formatting. */
function identifierKey(identifier: string, channelUuid: string): string {
  return `${channelUuid} ${identifier.replace(/\D/g, '')}`;
}

function newUuid(): string {
  return randomUUID().replaceAll('-', '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `customFieldsMetadata`: each field the contact holds, its value typed (checkbox: a list). */
function metadataOf(
  customFields: Record<string, string>,
  account: CallbellAccount,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(customFields)) {
    const field = account.customFields.get(name);
    const type = field?.type ?? 'text';
    const value = type === 'checkbox' ? (JSON.parse(text) as string[]) : text;
    metadata[name] = { value, type, ...(field?.options ? { options: [...field.options] } : {}) };
  }
  return metadata;
}
