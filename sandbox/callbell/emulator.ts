import { randomUUID } from 'node:crypto';
import { phoneFromVendor } from '../../src/phone.js';
import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from '../emulator.js';
import { listPage } from './list.js';
import { type CallbellAccount, checkFields, type EmulatedRecord, failure } from './rules.js';

/** A channel of the emulated account (one WhatsApp number, say). */
export interface CallbellEmulatorChannel {
  /** 32 hex characters, like Callbell's. */
  uuid: string;
  /** Default `'whatsapp'`. */
  type?: 'whatsapp' | 'facebook' | 'instagram' | 'telegram';
  /** The channel used when a request names none. Default: the first channel of its type. */
  main?: boolean;
}

export interface CallbellEmulatorOptions {
  /** The bearer token accepted. Default `'test-token'`. */
  apiToken?: string;
  /** Tags that exist in the account; any other is refused. Default `['lead', 'vip', 'customer']`. */
  tags?: string[];
  /** Custom-field names that exist. Default `['Company', 'Birthday', 'City', 'First name', 'Last name', 'Website']`. */
  customFields?: string[];
  /** Emails of the confirmed agents that contacts may be assigned to. Default `['agent@example.com']`. */
  users?: string[];
  /** Default: one main WhatsApp channel. */
  channels?: CallbellEmulatorChannel[];
}

const SOURCES = new Set(['whatsapp', 'facebook', 'instagram', 'telegram']);
const NOT_FOUND: EmulatorResponse = { status: 404, body: { error: 'Not found' } };

/**
 * Callbell's contacts API in memory, quirks included: bearer token, tags and custom fields that
 * must pre-exist, `{ contact: [ … ] }` from create/get/update but `{ contact: { … } }` from the
 * lookup by phone, 20 contacts per page with `meta.next` cursors and the page-500 cap.
 */
export function createCallbellEmulator(options: CallbellEmulatorOptions = {}): ProviderEmulator {
  const account: CallbellAccount = {
    tags: new Set(options.tags ?? ['lead', 'vip', 'customer']),
    customFields: new Set(
      options.customFields ?? ['Company', 'Birthday', 'City', 'First name', 'Last name', 'Website'],
    ),
    users: new Set(options.users ?? ['agent@example.com']),
  };
  const token = options.apiToken ?? 'test-token';
  const channels = (options.channels ?? [{ uuid: newUuid(), main: true }]).map((channel) => ({
    ...channel,
    type: channel.type ?? 'whatsapp',
  }));
  const records = new Map<string, EmulatedRecord>();
  let sequence = 0;

  const mainChannel = (type: string) =>
    channels.find((channel) => channel.type === type && channel.main) ??
    channels.find((channel) => channel.type === type);

  /** The channel a request names, or the main one of `type`; `undefined` if there is none. */
  const channelOf = (uuid: unknown, type: string) =>
    uuid === undefined || uuid === null
      ? mainChannel(type)
      : channels.find((channel) => channel.uuid === uuid);

  const sameIdentifier = (held: EmulatedRecord, identifier: string, channelUuid: string) =>
    held.channelUuid === channelUuid && digits(held.contact.phoneNumber) === digits(identifier);

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
    if ([...records.values()].some((held) => sameIdentifier(held, identifier, channel.uuid))) {
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
    return { status: 200, body: { contact: [structuredClone(held.contact)] } };
  }

  function update(held: EmulatedRecord, body: Record<string, unknown>): EmulatorResponse {
    if (body.name !== undefined && (typeof body.name !== 'string' || !body.name.trim())) {
      return failure(422, "Name can't be blank");
    }
    const refused = checkFields(body, account);
    if (refused) return refused;
    apply(held, body);
    return { status: 200, body: { contact: [structuredClone(held.contact)] } };
  }

  function findByPhone(phone: string, query: URLSearchParams): EmulatorResponse {
    const channel = channelOf(query.get('channel_uuid') ?? undefined, 'whatsapp');
    const held =
      channel &&
      [...records.values()].find((record) => sameIdentifier(record, phone, channel.uuid));
    return held ? { status: 200, body: { contact: structuredClone(held.contact) } } : NOT_FOUND;
  }

  function route(request: EmulatorRequest, segments: string[]): EmulatorResponse {
    const [root, second, third, ...rest] = segments;
    const body = isRecord(request.body) ? request.body : undefined;
    if (root !== 'contacts' || rest.length > 0) return NOT_FOUND;
    if (second === undefined) {
      if (request.method === 'GET') return listPage([...records.values()], request.query);
      if (request.method === 'POST')
        return body ? create(body) : failure(400, 'Invalid request body');
      return NOT_FOUND;
    }
    if (second === 'phone' && third !== undefined && request.method === 'GET') {
      return findByPhone(third, request.query);
    }
    const held = third === undefined ? records.get(second) : undefined;
    if (!held) return NOT_FOUND;
    if (request.method === 'GET')
      return { status: 200, body: { contact: [structuredClone(held.contact)] } };
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
      // Our guess at Callbell's answer to a missing or wrong key (its error bodies are undocumented).
      if (request.headers.authorization !== `Bearer ${token}`) return failure(401, 'Unauthorized');
      const segments = pathSegments(request.path);
      return segments ? route(request, segments) : NOT_FOUND;
    },
    contacts(): EmulatedContact[] {
      return [...records.values()].map(({ contact }) => ({
        id: contact.uuid,
        phone: phoneFromVendor(contact.phoneNumber) ?? contact.phoneNumber,
        record: structuredClone(contact),
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

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

function newUuid(): string {
  return randomUUID().replaceAll('-', '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
