import type { EmulatorRequest, EmulatorResponse } from '../emulator.js';
import type { BrevoBook } from './contacts.js';
import { bodyIds, failure, isObject, queryInteger } from './rules.js';

/** A list of the emulated account. */
export interface BrevoEmulatorList {
  /** The list's numeric id, as Brevo gives it. */
  id: number;
  /** The list's name. */
  name: string;
  /** Default 1 (the account's first folder). */
  folderId?: number;
}

/**
 * Brevo's lists and folders: `GET/POST /contacts/lists`, `GET …/lists/{id}`,
 * `…/lists/{id}/contacts[/add|/remove]`, `GET/POST /contacts/folders`. A list needs a folder.
 */
export function createBrevoLists(book: BrevoBook, initial: BrevoEmulatorList[], now: () => number) {
  const folders = new Map<number, { id: number; name: string }>();
  const lists = new Map<number, Required<BrevoEmulatorList> & { createdAt: string }>();
  let sequence = 0;

  function reset() {
    folders.clear();
    lists.clear();
    folders.set(1, { id: 1, name: 'Your first folder' });
    sequence = 1;
    for (const list of initial) {
      lists.set(list.id, {
        folderId: 1,
        ...list,
        createdAt: new Date(now()).toISOString(),
      });
      sequence = Math.max(sequence, list.id);
    }
  }
  reset();

  const summary = (list: Required<BrevoEmulatorList>) => {
    const members = [...book.records.values()].filter((record) => record.listIds.includes(list.id));
    return {
      id: list.id,
      name: list.name,
      folderId: list.folderId,
      totalBlacklisted: members.filter((record) => record.smsBlacklisted || record.emailBlacklisted)
        .length,
      totalSubscribers: members.length,
      uniqueSubscribers: members.length,
    };
  };

  function members(listId: number, request: EmulatorRequest, add: boolean): EmulatorResponse {
    const body = isObject(request.body) ? request.body : {};
    if (!add && body.all === true) {
      const total = [...book.records.values()].filter((record) => record.listIds.includes(listId));
      for (const record of total) record.listIds = record.listIds.filter((id) => id !== listId);
      sequence += 1;
      return { status: 201, body: { contacts: { processId: sequence, total: total.length } } };
    }
    const forms = ['emails', 'ids', 'extIds'].filter((key) => body[key] !== undefined);
    if (forms.length !== 1) {
      return failure(400, 'invalid_parameter', 'Exactly one of emails, ids or extIds is required');
    }
    const form = forms[0] as 'emails' | 'ids' | 'extIds';
    const given = body[form];
    const values = form === 'ids' ? bodyIds(given) : Array.isArray(given) ? given : undefined;
    if (
      !values ||
      values.length === 0 ||
      values.some((value) => form !== 'ids' && typeof value !== 'string')
    ) {
      return failure(400, 'invalid_parameter', `Invalid ${form}`);
    }
    if (values.length > 150) {
      return failure(400, 'out_of_range', 'At most 150 contacts per call');
    }
    const success: (string | number)[] = [];
    const failed: (string | number)[] = [];
    for (const value of values as (string | number)[]) {
      const type = form === 'ids' ? 'contact_id' : form === 'emails' ? 'email_id' : 'ext_id';
      const found = book.resolve(String(value), type, 'GET');
      const record = 'ok' in found ? found.ok : undefined;
      if (!record || record.listIds.includes(listId) !== !add) {
        failed.push(value);
        continue;
      }
      record.listIds = add
        ? [...record.listIds, listId].sort((a, b) => a - b)
        : record.listIds.filter((id) => id !== listId);
      success.push(value);
    }
    if (success.length === 0) {
      return failure(
        400,
        'invalid_parameter',
        add
          ? 'Contact is already present in the selected list or contact does not exist in account'
          : 'Contact does not exist in the selected list',
      );
    }
    return { status: 201, body: { contacts: { success, failure: failed } } };
  }

  function handle(
    request: EmulatorRequest,
    segments: string[],
    contactsOf: (listId: number) => EmulatorResponse,
  ): EmulatorResponse | undefined {
    const { method } = request;
    const [resource, rawId, sub, action] = segments;
    if (resource === 'folders') {
      if (rawId === undefined && method === 'GET') {
        return { status: 200, body: { count: folders.size, folders: [...folders.values()] } };
      }
      if (rawId === undefined && method === 'POST') {
        const body = isObject(request.body) ? request.body : {};
        if (typeof body.name !== 'string' || !body.name) {
          return failure(400, 'missing_parameter', 'name is required');
        }
        sequence += 1;
        folders.set(sequence, { id: sequence, name: body.name });
        return { status: 201, body: { id: sequence } };
      }
      return undefined;
    }
    if (resource !== 'lists') return undefined;
    if (rawId === undefined) {
      if (method === 'GET') {
        const limit = queryInteger(request.query, 'limit', 10, 0, 50);
        const offset = queryInteger(request.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
        if (limit === undefined || offset === undefined) {
          return failure(400, 'out_of_range', 'limit or offset out of range');
        }
        const all = [...lists.values()].sort((a, b) =>
          request.query.get('sort') === 'asc' ? a.id - b.id : b.id - a.id,
        );
        return {
          status: 200,
          body: { count: all.length, lists: all.slice(offset, offset + limit).map(summary) },
        };
      }
      if (method === 'POST') {
        const body = isObject(request.body) ? request.body : {};
        if (typeof body.name !== 'string' || !body.name || body.folderId === undefined) {
          return failure(400, 'missing_parameter', 'name and folderId are required');
        }
        if (!folders.has(Number(body.folderId))) {
          return failure(404, 'document_not_found', 'Folder ID does not exist');
        }
        sequence += 1;
        lists.set(sequence, {
          id: sequence,
          name: body.name,
          folderId: Number(body.folderId),
          createdAt: new Date(now()).toISOString(),
        });
        return { status: 201, body: { id: sequence } };
      }
      return undefined;
    }
    const list = /^\d{1,18}$/.test(rawId) ? lists.get(Number(rawId)) : undefined;
    if (!list) return failure(404, 'document_not_found', 'List ID does not exist');
    if (sub === undefined && method === 'GET') {
      const { totalSubscribers, totalBlacklisted, uniqueSubscribers, ...rest } = summary(list);
      return {
        status: 200,
        body: {
          ...rest,
          createdAt: list.createdAt,
          totalSubscribers,
          totalBlacklisted,
          uniqueSubscribers,
        },
      };
    }
    if (sub === 'contacts' && action === undefined && method === 'GET') return contactsOf(list.id);
    if (sub === 'contacts' && (action === 'add' || action === 'remove') && method === 'POST') {
      return members(list.id, request, action === 'add');
    }
    return undefined;
  }

  return {
    handle,
    exists: (id: number) => lists.has(id),
    lists: () => [...lists.values()],
    reset,
  };
}
