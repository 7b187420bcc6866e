import { phoneFromVendor } from '../../src/phone.js';
import type {
  EmulatedContact,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
} from '../emulator.js';
import { createBrevoBook } from './contacts.js';
import { type BrevoEmulatorList, createBrevoLists } from './lists.js';
import {
  type BrevoEmulatorAttribute,
  type BrevoRecord,
  failure,
  isObject,
  queryIds,
  queryInteger,
} from './rules.js';

export type { BrevoEmulatorList } from './lists.js';
export type { BrevoEmulatorAttribute, BrevoRecord } from './rules.js';

/** Options of {@link createBrevoEmulator}; each unconfirmed fact of Brevo's docs is one of them. */
export interface BrevoEmulatorOptions {
  /** The `api-key` accepted. Default `'test-key'`. */
  apiKey?: string;
  /**
   * The account's attributes besides the identifiers. Default: FIRSTNAME, LASTNAME, COMPANY, CITY,
   * WEBSITE (text), BIRTHDAY (date), SEATS (float), VIP (boolean), INTERESTS (multiple-choice).
   */
  attributes?: BrevoEmulatorAttribute[];
  /** The lists that exist (folder 1 always does). Default: list 2, "Sandbox". */
  lists?: BrevoEmulatorList[];
  /**
   * An attribute the account does not have, on create or update: `'error'` (400
   * `invalid_parameter`, the default) or `'ignore'` (dropped, as the import docs say). Unconfirmed.
   */
  unknownAttributes?: 'error' | 'ignore';
  /** How phone attributes come back: `'digits'` (`33612345678`, the default) or `'plus'`. Unconfirmed. */
  phoneFormat?: 'digits' | 'plus';
  /** Whether an SMS-only contact shows a `<digits>@mailin-sms.com` email. Default false. Unconfirmed. */
  placeholderEmail?: boolean;
  /** The `code` of a duplicate identifier's 400. Default `'duplicate_parameter'`. */
  duplicateCode?: 'duplicate_parameter' | 'invalid_parameter';
  /** Which value clears an attribute on update: `'both'` (default), `'empty'` (`''`) or `'null'`. Unconfirmed. */
  clearWith?: 'empty' | 'null' | 'both';
  /** Whether an import row without `email` is refused (SMS-only rows). Default false. Unconfirmed. */
  importRowsNeedEmail?: boolean;
  /** Whether `GET /contacts/attributes` lists SMS, WHATSAPP, … too. Default false. Unconfirmed. */
  listIdentifierAttributes?: boolean;
  /**
   * Requests per second on `/contacts/*` before a 429 (the `x-sib-ratelimit-*` headers go on
   * every answer). Default: no limit.
   */
  requestsPerSecond?: number;
  /** Whether a 429 carries `Retry-After` besides `x-sib-ratelimit-reset`. Default false. */
  retryAfterHeader?: boolean;
  /** `GET /processes/{id}` answers `in_process` this many times before `completed`. Default 1. */
  importPolls?: number;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

/** The Brevo emulator, with its lists for tests. */
export interface BrevoEmulator extends ProviderEmulator {
  /** The account's lists, with their ids. */
  lists(): BrevoEmulatorList[];
}

const DEFAULT_ATTRIBUTES: BrevoEmulatorAttribute[] = [
  { name: 'FIRSTNAME' },
  { name: 'LASTNAME' },
  { name: 'COMPANY' },
  { name: 'CITY' },
  { name: 'WEBSITE' },
  { name: 'BIRTHDAY', type: 'date' },
  { name: 'SEATS', type: 'float' },
  { name: 'VIP', type: 'boolean' },
  { name: 'INTERESTS', type: 'multiple-choice', multiCategoryOptions: ['sms', 'email'] },
];

const UNAUTHORIZED = failure(401, 'unauthorized', 'Key not found');
const NOT_ALLOWED = failure(405, 'method_not_allowed', 'Method not allowed');

/**
 * Brevo's Contacts API (v3) in memory, as strict as its docs: the `api-key` header, five unique
 * identifiers (a second contact with an SMS number is `400 duplicate_parameter` with
 * `metadata.duplicate_identifiers`), `identifierType` checked, attributes that must exist and
 * values of the wrong type dropped, 204 without a body on update and delete, offset pages with
 * `count`, async imports polled through `/processes`, lists in folders, and the
 * `x-sib-ratelimit-*` headers (429 above `requestsPerSecond`).
 */
export function createBrevoEmulator(options: BrevoEmulatorOptions = {}): BrevoEmulator {
  const apiKey = options.apiKey ?? 'test-key';
  const now = options.now ?? Date.now;
  const attributes = new Map(
    (options.attributes ?? DEFAULT_ATTRIBUTES).map((attribute) => [
      attribute.name.toUpperCase(),
      { ...attribute, name: attribute.name.toUpperCase() },
    ]),
  );
  const initialAttributes = new Map(attributes);
  let lists: ReturnType<typeof createBrevoLists> | undefined;
  const book = createBrevoBook({
    attributes,
    listExists: (id) => lists?.exists(id) ?? false,
    unknownAttributes: options.unknownAttributes ?? 'error',
    phoneFormat: options.phoneFormat ?? 'digits',
    duplicateCode: options.duplicateCode ?? 'duplicate_parameter',
    clearWith: options.clearWith ?? 'both',
    importRowsNeedEmail: options.importRowsNeedEmail ?? false,
    now,
  });
  lists = createBrevoLists(book, options.lists ?? [{ id: 2, name: 'Sandbox' }], now);
  const accountLists = lists;
  const processes = new Map<number, { polls: number; info: Record<string, string | null> }>();
  let processSequence = 0;
  let window = { start: 0, used: 0 };

  /** The `x-sib-ratelimit-*` headers, and a 429 once the second's budget is spent. */
  function limited(): { headers: Record<string, string>; refused?: EmulatorResponse } {
    const limit = options.requestsPerSecond;
    const at = now();
    if (at - window.start >= 1000) window = { start: at, used: 0 };
    window.used += 1;
    const reset = Math.max(1, Math.ceil((window.start + 1000 - at) / 1000));
    const headers = {
      'x-sib-ratelimit-limit': String(limit ?? 36_000),
      'x-sib-ratelimit-remaining': String(limit ? Math.max(0, limit - window.used) : 35_999),
      'x-sib-ratelimit-reset': String(reset),
    };
    if (!limit || window.used <= limit) return { headers };
    return {
      headers,
      refused: {
        status: 429,
        headers: {
          ...headers,
          ...(options.retryAfterHeader ? { 'retry-after': String(reset) } : {}),
        },
        body: { code: 'too_many_requests', message: 'Too many requests' },
      },
    };
  }

  /** The wire object of a contact; `statistics` only on the lookup of one. */
  function view(record: BrevoRecord, single = false): Record<string, unknown> {
    const email =
      record.email ??
      (options.placeholderEmail && record.attributes.SMS
        ? `${String(record.attributes.SMS).replace(/\D/g, '')}@mailin-sms.com`
        : undefined);
    return {
      ...(email ? { email } : {}),
      id: record.id,
      emailBlacklisted: record.emailBlacklisted,
      smsBlacklisted: record.smsBlacklisted,
      whatsappBlacklisted: record.whatsappBlacklisted,
      createdAt: record.createdAt,
      modifiedAt: record.modifiedAt,
      listIds: [...record.listIds],
      ...(record.listUnsubscribed.length ? { listUnsubscribed: [...record.listUnsubscribed] } : {}),
      attributes: { ...record.attributes },
      ...(single ? { statistics: {} } : {}),
    };
  }

  /** `GET /contacts` and `GET /contacts/lists/{id}/contacts`: offset pages with `count`. */
  function page(request: EmulatorRequest, listId?: number): EmulatorResponse {
    const { query } = request;
    const limit = queryInteger(query, 'limit', 50, 0, listId === undefined ? 1000 : 500);
    const offset = queryInteger(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (limit === undefined || offset === undefined) {
      return failure(400, 'out_of_range', 'Limit exceeds max value or offset is invalid');
    }
    const sort = query.get('sort') ?? 'desc';
    if (sort !== 'asc' && sort !== 'desc') {
      return failure(400, 'invalid_parameter', 'sort should be asc or desc');
    }
    const listIds = listId === undefined ? queryIds(query, 'listIds') : [listId];
    const ids = queryIds(query, 'ids');
    if (listIds?.some(Number.isNaN) || ids?.some(Number.isNaN) || (ids && ids.length > 20)) {
      return failure(400, 'invalid_parameter', 'Invalid listIds or ids');
    }
    const since = (name: string) => {
      const raw = query.get(name);
      if (raw === null) return undefined;
      const time = Date.parse(raw);
      return Number.isNaN(time) ? Number.NaN : time;
    };
    const modifiedSince = since('modifiedSince');
    const createdSince = since('createdSince');
    if (Number.isNaN(modifiedSince) || Number.isNaN(createdSince)) {
      return failure(400, 'invalid_parameter', 'Invalid date format');
    }
    const filter = parseFilter(query.get('filter'));
    if (filter === null) return failure(400, 'invalid_parameter', 'Invalid filter');
    const matching = [...book.records.values()].filter(
      (record) =>
        (!listIds || listIds.some((id) => record.listIds.includes(id))) &&
        (!ids || ids.includes(record.id)) &&
        (modifiedSince === undefined || Date.parse(record.modifiedAt) >= modifiedSince) &&
        (createdSince === undefined || Date.parse(record.createdAt) >= createdSince) &&
        (!filter || String(record.attributes[filter.name] ?? '') === filter.value),
    );
    // By creation: ids grow with it, and break ties between contacts of one millisecond.
    matching.sort((a, b) => (sort === 'asc' ? a.id - b.id : b.id - a.id));
    return {
      status: 200,
      body: {
        contacts: matching.slice(offset, offset + limit).map((record) => view(record)),
        count: matching.length,
      },
    };
  }

  function attributesRoute(request: EmulatorRequest, segments: string[]): EmulatorResponse {
    const [category, rawName] = segments;
    if (category === undefined) {
      if (request.method !== 'GET') return NOT_ALLOWED;
      const listed = [...attributes.values()].map((attribute) => ({
        name: attribute.name,
        category: attribute.category ?? 'normal',
        ...(attribute.type ? { type: attribute.type } : { type: 'text' }),
        ...(attribute.multiCategoryOptions
          ? { multiCategoryOptions: attribute.multiCategoryOptions }
          : {}),
      }));
      const identifiers = options.listIdentifierAttributes
        ? ['EMAIL', 'SMS', 'WHATSAPP', 'LANDLINE_NUMBER', 'EXT_ID'].map((name) => ({
            name,
            category: 'normal',
            type: 'text',
          }))
        : [];
      return { status: 200, body: { attributes: [...identifiers, ...listed] } };
    }
    const categories = ['normal', 'transactional', 'category', 'calculated', 'global'];
    if (!categories.includes(category) || rawName === undefined) {
      return failure(400, 'invalid_parameter', 'Invalid attribute category');
    }
    const name = decodeURIComponent(rawName).toUpperCase();
    if (request.method === 'POST') {
      if (attributes.has(name)) {
        return failure(400, 'duplicate_parameter', 'Attribute name must be unique');
      }
      const body = isObject(request.body) ? request.body : {};
      const types = ['text', 'date', 'float', 'boolean', 'multiple-choice', 'id', 'category'];
      const type = body.type ?? 'text';
      if (typeof type !== 'string' || !types.includes(type)) {
        return failure(400, 'invalid_parameter', 'Invalid attribute type');
      }
      attributes.set(name, {
        name,
        category: category as BrevoEmulatorAttribute['category'],
        type: type as BrevoEmulatorAttribute['type'],
        ...(Array.isArray(body.multiCategoryOptions)
          ? { multiCategoryOptions: body.multiCategoryOptions.map(String) }
          : {}),
      });
      return { status: 201 };
    }
    if (request.method === 'DELETE') {
      if (!attributes.delete(name))
        return failure(404, 'document_not_found', 'Attribute not found');
      for (const record of book.records.values()) delete record.attributes[name];
      return { status: 204 };
    }
    return NOT_ALLOWED;
  }

  function importRoute(request: EmulatorRequest): EmulatorResponse {
    const body = isObject(request.body) ? request.body : {};
    if (!Array.isArray(body.jsonBody)) {
      return failure(400, 'missing_parameter', 'One of jsonBody, fileBody or fileUrl is required');
    }
    const listIds = Array.isArray(body.listIds) ? body.listIds.map(Number) : undefined;
    if (!listIds || listIds.length === 0) {
      return failure(400, 'missing_parameter', 'listIds or newList is required');
    }
    if (listIds.some((id) => !accountLists.exists(id))) {
      return failure(404, 'document_not_found', 'List ID does not exist');
    }
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    for (const row of body.jsonBody) {
      const outcome = book.importRow(row, {
        update: body.updateExistingContacts !== false,
        listIds,
        smsBlacklist: body.smsBlacklist === true,
        seen,
      });
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    processSequence += 1;
    const report = (key: string) =>
      counts.get(key)
        ? `https://emulator.brevo.invalid/reports/${processSequence}/${key}.csv`
        : null;
    processes.set(processSequence, {
      polls: options.importPolls ?? 1,
      info: {
        invalid_emails: report('invalid'),
        duplicate_contact_id: null,
        duplicate_ext_id: null,
        duplicate_email_id: report('duplicate_email_id'),
        duplicate_phone_id: report('duplicate_phone_id'),
        duplicate_whatsapp_id: null,
        duplicate_landline_number_id: null,
      },
    });
    return { status: 202, body: { processId: processSequence } };
  }

  function processRoute(request: EmulatorRequest, rawId: string | undefined): EmulatorResponse {
    if (request.method !== 'GET' || rawId === undefined) return NOT_ALLOWED;
    const id = Number(rawId);
    const process = /^\d+$/.test(rawId) ? processes.get(id) : undefined;
    if (!process) return failure(404, 'document_not_found', 'Process does not exist');
    if (process.polls > 0) {
      process.polls -= 1;
      return { status: 200, body: { id, name: 'IMPORTUSER', status: 'in_process' } };
    }
    return {
      status: 200,
      body: { id, name: 'IMPORTUSER', status: 'completed', info: { import: process.info } },
    };
  }

  function contactRoute(request: EmulatorRequest, rawIdentifier: string): EmulatorResponse {
    let identifier: string;
    try {
      identifier = decodeURIComponent(rawIdentifier);
    } catch {
      return failure(400, 'invalid_parameter', 'Invalid identifier');
    }
    const found = book.resolve(identifier, request.query.get('identifierType'), request.method);
    if ('error' in found) return found.error;
    const record = found.ok;
    if (!['GET', 'PUT', 'DELETE'].includes(request.method)) return NOT_ALLOWED;
    if (!record) return book.notFound;
    if (request.method === 'GET') return { status: 200, body: view(record, true) };
    if (request.method === 'DELETE') return book.remove(record);
    if (!isObject(request.body)) return failure(400, 'invalid_parameter', 'Invalid body');
    return book.update(record, request.body);
  }

  function route(request: EmulatorRequest): EmulatorResponse {
    const segments = request.path.split('/').filter(Boolean);
    const [root, second, ...rest] = segments;
    if (root === 'processes') return processRoute(request, second);
    if (root !== 'contacts') return failure(404, 'document_not_found', 'Not found');
    if (second === undefined) {
      if (request.method === 'GET') return page(request);
      if (request.method !== 'POST') return NOT_ALLOWED;
      if (!isObject(request.body)) return failure(400, 'invalid_parameter', 'Invalid body');
      return book.create(request.body);
    }
    if (second === 'batch' && rest.length === 0) {
      if (request.method !== 'POST') return NOT_ALLOWED;
      return book.batch(isObject(request.body) ? request.body : {});
    }
    if (second === 'import' && rest.length === 0) {
      return request.method === 'POST' ? importRoute(request) : NOT_ALLOWED;
    }
    if (second === 'attributes') return attributesRoute(request, rest);
    if (second === 'lists' || second === 'folders') {
      return (
        accountLists.handle(request, [second, ...rest], (listId) => page(request, listId)) ??
        NOT_ALLOWED
      );
    }
    if (rest.length === 0) return contactRoute(request, second);
    return failure(404, 'document_not_found', 'Not found');
  }

  function handle(request: EmulatorRequest): EmulatorResponse {
    if (request.headers['api-key'] !== apiKey) return UNAUTHORIZED;
    const { headers, refused } = limited();
    if (refused) return refused;
    const answer = route(request);
    return { ...answer, headers: { ...headers, ...answer.headers } };
  }

  return {
    provider: 'brevo',
    basePath: '/v3',
    handle,
    contacts(): EmulatedContact[] {
      return [...book.records.values()].flatMap((record) => {
        const phone = phoneFromVendor(record.attributes.SMS as string | undefined);
        return phone ? [{ id: String(record.id), phone, record: view(record) }] : [];
      });
    },
    lists: () => accountLists.lists().map(({ id, name, folderId }) => ({ id, name, folderId })),
    reset() {
      book.clear();
      attributes.clear();
      for (const [name, attribute] of initialAttributes) attributes.set(name, attribute);
      accountLists.reset();
      processes.clear();
      window = { start: 0, used: 0 };
    },
  };
}

/** `equals(ATTR,"value")`, the one filter Brevo documents; `null` when unreadable. */
function parseFilter(filter: string | null): { name: string; value: string } | undefined | null {
  if (filter === null) return undefined;
  const match = /^equals\(\s*([A-Za-z0-9_]+)\s*,\s*"([^"]*)"\s*\)$/.exec(filter.trim());
  return match ? { name: (match[1] as string).toUpperCase(), value: match[2] as string } : null;
}
