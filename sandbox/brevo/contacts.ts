import type { EmulatorResponse } from '../emulator.js';
import { IndexedMap } from '../indexed-map.js';
import {
  type BrevoEmulatorAttribute,
  type BrevoRecord,
  bodyIds,
  brevoPhone,
  CONTACT_NOT_FOUND,
  failure,
  IDENTIFIER_ATTRIBUTES,
  type IdentifierAttribute,
  isObject,
  typedValue,
} from './rules.js';

/** What the contact book needs of the account around it. */
export interface BrevoBookSettings {
  attributes: Map<string, BrevoEmulatorAttribute>;
  listExists(id: number): boolean;
  /** `'error'`: an unknown attribute is 400; `'ignore'`: it is dropped (see the emulator options). */
  unknownAttributes: 'error' | 'ignore';
  /** How `attributes.SMS` (and WHATSAPP, LANDLINE_NUMBER) come back. */
  phoneFormat: 'digits' | 'plus';
  /** The `code` of a duplicate identifier's 400. */
  duplicateCode: 'duplicate_parameter' | 'invalid_parameter';
  /** Which value clears an attribute: `''`, `null`, or either. */
  clearWith: 'empty' | 'null' | 'both';
  /** Whether an import row needs an email (SMS-only rows refused). */
  importRowsNeedEmail: boolean;
  now(): number;
}

type Outcome<T> = { ok: T } | { error: EmulatorResponse };

/** A write's changes, checked, before they touch the record. */
interface Changes {
  email?: string | null;
  attributes: Record<string, string | number | boolean | string[] | null>;
  phones: Partial<Record<IdentifierAttribute, string | null>>;
  listIds: number[];
  unlinkListIds: number[];
  flags: Partial<Pick<BrevoRecord, 'smsBlacklisted' | 'emailBlacklisted' | 'whatsappBlacklisted'>>;
}

const IDENTIFIER_TYPES = new Set([
  'email_id',
  'contact_id',
  'ext_id',
  'phone_id',
  'whatsapp_id',
  'landline_number_id',
]);

/** Brevo's contact book: five unique identifiers, typed attributes, partial updates. */
export function createBrevoBook(settings: BrevoBookSettings) {
  // The SMS number is the second key: the lookup by phone and the duplicate check stay O(1).
  const records = new IndexedMap<number, BrevoRecord, string>(
    (record) => `${record.attributes.SMS ?? `#${record.id}`}`,
  );
  let sequence = 0;

  const phoneKey = (e164: string) => (settings.phoneFormat === 'plus' ? e164 : e164.slice(1));
  const iso = () => new Date(settings.now()).toISOString();

  function holderOf(attribute: IdentifierAttribute, e164: string): BrevoRecord | undefined {
    const key = phoneKey(e164);
    if (attribute === 'SMS') return records.find(key);
    for (const record of records.values()) if (record.attributes[attribute] === key) return record;
    return undefined;
  }

  function byEmail(email: string): BrevoRecord | undefined {
    const wanted = email.toLowerCase();
    for (const record of records.values())
      if (record.email?.toLowerCase() === wanted) return record;
    return undefined;
  }

  function byExtId(extId: string): BrevoRecord | undefined {
    for (const record of records.values()) if (record.attributes.EXT_ID === extId) return record;
    return undefined;
  }

  /** The contact `identifier` names, by `identifierType` (or Brevo's guess without one). */
  function resolve(
    identifier: string,
    identifierType: string | null,
    method: string,
  ): Outcome<BrevoRecord | undefined> {
    if (identifierType !== null && !IDENTIFIER_TYPES.has(identifierType)) {
      return { error: failure(400, 'invalid_parameter', 'Invalid identifierType') };
    }
    const type = identifierType ?? guessType(identifier, method);
    if (type === undefined) {
      return { error: failure(400, 'invalid_parameter', 'Invalid identifier') };
    }
    switch (type) {
      case 'contact_id':
        if (!/^\d{1,18}$/.test(identifier)) {
          return { error: failure(400, 'invalid_parameter', 'Invalid contact id') };
        }
        return { ok: records.get(Number(identifier)) };
      case 'email_id':
        return { ok: byEmail(identifier) };
      case 'ext_id':
        return { ok: byExtId(identifier) };
      default: {
        const attribute = ATTRIBUTE_OF[type] as IdentifierAttribute;
        const e164 = brevoPhone(identifier);
        if (!e164) return { error: failure(400, 'invalid_parameter', 'Invalid phone number') };
        return { ok: holderOf(attribute, e164) };
      }
    }
  }

  /** Without `identifierType`, GET takes an email, an SMS number or an id; PUT and DELETE no SMS. */
  function guessType(identifier: string, method: string): string | undefined {
    if (identifier.includes('@')) return 'email_id';
    if (/^\d{1,18}$/.test(identifier)) {
      if (method !== 'GET' || records.has(Number(identifier))) return 'contact_id';
      return 'phone_id';
    }
    return method === 'GET' && identifier.startsWith('+') ? 'phone_id' : undefined;
  }

  /** Reads and checks a write's body; nothing is changed yet. */
  function changesOf(
    body: Record<string, unknown>,
    self: BrevoRecord | undefined,
    verb: 'create' | 'update',
    mode: { unknownAttributes: 'error' | 'ignore' } = settings,
  ): Outcome<Changes> {
    const changes: Changes = {
      attributes: {},
      phones: {},
      listIds: [],
      unlinkListIds: [],
      flags: {},
    };
    if (body.email !== undefined) {
      if (typeof body.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.email)) {
        return { error: failure(400, 'invalid_parameter', 'Invalid email address') };
      }
      changes.email = body.email;
    }
    if (body.ext_id !== undefined) {
      if (typeof body.ext_id !== 'string') {
        return { error: failure(400, 'invalid_parameter', 'Invalid ext_id') };
      }
      changes.attributes.EXT_ID = body.ext_id;
    }
    if (body.attributes !== undefined && !isObject(body.attributes)) {
      return { error: failure(400, 'invalid_parameter', 'attributes should be an object') };
    }
    for (const [given, value] of Object.entries((body.attributes as object | undefined) ?? {})) {
      const name = given.toUpperCase();
      if ((IDENTIFIER_ATTRIBUTES as readonly string[]).includes(name)) {
        const attribute = name as IdentifierAttribute;
        if (value === null || value === '') {
          changes.phones[attribute] = null;
          continue;
        }
        const e164 = brevoPhone(value);
        if (!e164) {
          const what = attribute === 'WHATSAPP' ? 'WhatsApp number' : 'phone number';
          return { error: failure(400, 'invalid_parameter', `Invalid ${what}`) };
        }
        changes.phones[attribute] = e164;
        continue;
      }
      if (name === 'EMAIL') {
        if (typeof value !== 'string') {
          return { error: failure(400, 'invalid_parameter', 'Invalid email address') };
        }
        changes.email = value || null;
        continue;
      }
      if (name === 'EXT_ID') {
        changes.attributes.EXT_ID = typeof value === 'string' && value ? value : null;
        continue;
      }
      const attribute = settings.attributes.get(name);
      if (!attribute || attribute.category === 'calculated' || attribute.category === 'global') {
        if (mode.unknownAttributes === 'ignore') continue;
        return {
          error: failure(
            400,
            'invalid_parameter',
            `Attribute ${name} does not exist in the account`,
          ),
        };
      }
      if (value === null || value === '') {
        const clears =
          settings.clearWith === 'both' || (value === null) === (settings.clearWith === 'null');
        // The other spelling is a value of the wrong type: dropped without a word.
        if (clears) changes.attributes[name] = null;
        continue;
      }
      const typed = typedValue(attribute, value);
      // A value of the wrong type is dropped without a word, as Brevo does.
      if (typed !== undefined) changes.attributes[name] = typed;
    }
    for (const key of ['listIds', 'unlinkListIds'] as const) {
      if (body[key] === undefined) continue;
      const ids = bodyIds(body[key]);
      if (!ids) return { error: failure(400, 'invalid_parameter', `Invalid ${key}`) };
      if (key === 'listIds' && ids.some((id) => !settings.listExists(id))) {
        return { error: failure(404, 'document_not_found', 'List ID does not exist') };
      }
      changes[key] = ids;
    }
    for (const key of ['smsBlacklisted', 'emailBlacklisted', 'whatsappBlacklisted'] as const) {
      if (body[key] === undefined) continue;
      if (typeof body[key] !== 'boolean') {
        return { error: failure(400, 'invalid_parameter', `${key} should be a boolean`) };
      }
      changes.flags[key] = body[key];
    }
    return duplicateOf(changes, self, verb) ?? { ok: changes };
  }

  /** Two contacts never share an email, an ext_id or a phone identifier. */
  function duplicateOf(
    changes: Changes,
    self: BrevoRecord | undefined,
    verb: 'create' | 'update',
  ): { error: EmulatorResponse } | undefined {
    const taken: string[] = [];
    for (const [attribute, e164] of Object.entries(changes.phones)) {
      if (!e164) continue;
      const holder = holderOf(attribute as IdentifierAttribute, e164);
      if (holder && holder !== self) taken.push(attribute);
    }
    if (changes.email) {
      const holder = byEmail(changes.email);
      if (holder && holder !== self) taken.push('email');
    }
    const extId = changes.attributes.EXT_ID;
    if (typeof extId === 'string') {
      const holder = byExtId(extId);
      if (holder && holder !== self) taken.push('ext_id');
    }
    if (taken.length === 0) return undefined;
    const what = taken[0] === 'email' ? 'email' : taken[0];
    return {
      error: failure(
        400,
        settings.duplicateCode,
        `Unable to ${verb} contact, ${what} is already associated with another Contact`,
        { duplicate_identifiers: taken },
      ),
    };
  }

  function apply(record: BrevoRecord, changes: Changes): void {
    if (changes.email === null) delete record.email;
    else if (changes.email !== undefined) record.email = changes.email;
    for (const [name, value] of Object.entries({ ...changes.attributes })) {
      if (value === null) delete record.attributes[name];
      else record.attributes[name] = value;
    }
    for (const [attribute, e164] of Object.entries(changes.phones)) {
      if (e164 === null) delete record.attributes[attribute];
      else if (e164 !== undefined) record.attributes[attribute] = phoneKey(e164);
    }
    const lists = new Set(record.listIds);
    for (const id of changes.listIds) lists.add(id);
    for (const id of changes.unlinkListIds) lists.delete(id);
    record.listIds = [...lists].sort((a, b) => a - b);
    Object.assign(record, changes.flags);
    record.modifiedAt = iso();
    records.set(record.id, record);
  }

  function insert(changes: Changes): BrevoRecord {
    sequence += 1;
    const at = iso();
    const record: BrevoRecord = {
      id: sequence,
      emailBlacklisted: false,
      smsBlacklisted: false,
      whatsappBlacklisted: false,
      listIds: [],
      listUnsubscribed: [],
      createdAt: at,
      modifiedAt: at,
      attributes: {},
    };
    apply(record, changes);
    return record;
  }

  /** The contact an upsert-by-create (`updateEnabled`) finds: by email, SMS, then ext_id. */
  function existingFor(changes: Changes): BrevoRecord | undefined {
    if (changes.email) {
      const found = byEmail(changes.email);
      if (found) return found;
    }
    if (changes.phones.SMS) {
      const found = holderOf('SMS', changes.phones.SMS);
      if (found) return found;
    }
    const extId = changes.attributes.EXT_ID;
    return typeof extId === 'string' ? byExtId(extId) : undefined;
  }

  return {
    records,
    resolve,
    holderOf,

    create(body: Record<string, unknown>): EmulatorResponse {
      const probe = changesOf(body, undefined, 'create', { unknownAttributes: 'ignore' });
      const existing =
        body.updateEnabled === true && 'ok' in probe ? existingFor(probe.ok) : undefined;
      const checked = changesOf(body, existing, existing ? 'update' : 'create');
      if ('error' in checked) return checked.error;
      const changes = checked.ok;
      if (existing) {
        apply(existing, changes);
        return { status: 204 };
      }
      if (!changes.email && !changes.phones.SMS && typeof changes.attributes.EXT_ID !== 'string') {
        return failure(
          400,
          'missing_parameter',
          'An email or SMS phone number is mandatory to create a new contact',
        );
      }
      return { status: 201, body: { id: insert(changes).id } };
    },

    update(record: BrevoRecord, body: Record<string, unknown>): EmulatorResponse {
      const checked = changesOf(body, record, 'update');
      if ('error' in checked) return checked.error;
      apply(record, checked.ok);
      return { status: 204 };
    },

    remove(record: BrevoRecord): EmulatorResponse {
      records.delete(record.id);
      return { status: 204 };
    },

    /** `POST /contacts/batch` (deprecated 2026-10-30): updates only; any unknown item fails all. */
    batch(body: Record<string, unknown>): EmulatorResponse {
      if (!Array.isArray(body.contacts) || body.contacts.length === 0) {
        return failure(400, 'missing_parameter', 'contacts is required');
      }
      const planned: [BrevoRecord, Changes][] = [];
      for (const [index, item] of (body.contacts as unknown[]).entries()) {
        if (!isObject(item)) return failure(400, 'invalid_parameter', `Invalid item ${index}`);
        const keys = ['email', 'id', 'sms'].filter((key) => item[key] !== undefined);
        if (keys.length !== 1) {
          return failure(400, 'invalid_parameter', `Item ${index}: exactly one of email, id, sms`);
        }
        const found =
          item.id !== undefined
            ? records.get(Number(item.id))
            : item.email !== undefined
              ? byEmail(String(item.email))
              : (() => {
                  const e164 = brevoPhone(item.sms);
                  return e164 ? holderOf('SMS', e164) : undefined;
                })();
        if (!found) return failure(404, 'document_not_found', `Item ${index}: contact not found`);
        const { email: _email, id: _id, sms: _sms, ...rest } = item;
        const checked = changesOf(rest, found, 'update');
        if ('error' in checked) return checked.error;
        planned.push([found, checked.ok]);
      }
      for (const [record, changes] of planned) apply(record, changes);
      return { status: 204 };
    },

    /**
     * One row of an import: created, updated (when `update`), or refused. Unknown attributes are
     * ignored, as the import docs say.
     */
    importRow(
      row: unknown,
      options: { update: boolean; listIds: number[]; smsBlacklist: boolean; seen: Set<string> },
    ): 'created' | 'updated' | 'duplicate_phone_id' | 'duplicate_email_id' | 'invalid' {
      if (!isObject(row)) return 'invalid';
      if (settings.importRowsNeedEmail && typeof row.email !== 'string') return 'invalid';
      const body: Record<string, unknown> = {
        ...(row.email !== undefined ? { email: row.email } : {}),
        ...(row.ext_id !== undefined ? { ext_id: row.ext_id } : {}),
        attributes: row.attributes ?? {},
        listIds: options.listIds,
        ...(options.smsBlacklist ? { smsBlacklisted: true } : {}),
      };
      const probe = changesOf(body, undefined, 'create', { unknownAttributes: 'ignore' });
      if ('error' in probe) {
        const identifiers = (
          probe.error.body as { metadata?: { duplicate_identifiers?: string[] } }
        ).metadata?.duplicate_identifiers;
        if (!identifiers) return 'invalid';
        if (!options.update)
          return identifiers[0] === 'email' ? 'duplicate_email_id' : 'duplicate_phone_id';
      }
      const sms = 'ok' in probe ? probe.ok.phones.SMS : undefined;
      if (sms) {
        if (options.seen.has(sms)) return 'duplicate_phone_id';
        options.seen.add(sms);
      }
      const existing = 'ok' in probe ? existingFor(probe.ok) : undefined;
      if (existing && !options.update) return 'duplicate_phone_id';
      const checked = changesOf(body, existing, existing ? 'update' : 'create', {
        unknownAttributes: 'ignore',
      });
      if ('error' in checked) return 'invalid';
      if (existing) {
        apply(existing, checked.ok);
        return 'updated';
      }
      if (!checked.ok.email && !checked.ok.phones.SMS) return 'invalid';
      insert(checked.ok);
      return 'created';
    },

    notFound: CONTACT_NOT_FOUND,

    clear(): void {
      records.clear();
    },
  };
}

export type BrevoBook = ReturnType<typeof createBrevoBook>;

const ATTRIBUTE_OF: Record<string, IdentifierAttribute> = {
  phone_id: 'SMS',
  whatsapp_id: 'WHATSAPP',
  landline_number_id: 'LANDLINE_NUMBER',
};
