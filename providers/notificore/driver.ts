import * as v from 'valibot';
import {
  type ContactInput,
  type ContactPatch,
  MAPPABLE_FIELDS,
  type Warning,
} from '../../src/contact.js';
import type { Capabilities } from '../../src/contact-store.js';
import { ContactSyncError, invalidInput } from '../../src/errors.js';
import type { HttpClient, HttpResponse, RequestSpec } from '../../src/http.js';
import { phoneOf } from '../../src/identity.js';
import { type ContactStoreDriver, reportUnmapped, type WritePlan } from '../../src/store.js';
import { NotificoreContactSchema, parseFieldEntries } from './api.js';
import { invalidResponse, toNotificoreError } from './errors.js';
import type { FieldResolver } from './fields.js';
import { createMembership, groupIdsOf } from './groups.js';
import { createNotificoreReader, isSuccess } from './list.js';
import {
  isNotificorePhone,
  projectForNotificore,
  routeValues,
  toNotificoreFields,
  toNotificorePhone,
  unmappedWarning,
  unsupportedWarnings,
} from './mappers.js';
import { mergeFields } from './merge.js';
import type { NotificoreOptions } from './options.js';
import {
  type CallContext,
  createSpec,
  deleteSpec,
  type FieldValueBody,
  updateSpec,
} from './requests.js';

const provider = 'notificore';

export const NOTIFICORE_CAPABILITIES: Capabilities = {
  create: 'native',
  get: 'native',
  update: 'native',
  delete: 'native',
  list: 'native',
  findByPhone: 'native',
  upsert: 'native',
  changePhone: 'native',
  tags: 'unsupported',
  assignedUser: 'unsupported',
  // The account's stop list (/api/stoplist), per channel type.
  optOut: 'native',
  // A contact is a phone in the address book: one without a phone is refused (`unsupported`).
  identity: ['phone'],
};

/**
 * A contact holds a value under a field name the account no longer has: a whole-contact `PUT`
 * could not carry it (fields go by id), and leaving it out could erase it. Nothing is written.
 */
function unaddressable(contact: { id: string }): ContactSyncError {
  return new ContactSyncError({
    code: 'invalid_response',
    provider,
    operation: 'update',
    retryable: false,
    message: `[contact-sync] [notificore] update failed: invalid_response: contact ${contact.id} holds a value under a field name the account does not list; not written, so that nothing is erased`,
  });
}

/** One Notificore write: the input it was planned from (field ids resolve when it is sent). */
interface NotificorePlan extends WritePlan {
  input: ContactPatch;
}

/** The Notificore half of the store: maps, sends through `http`, parses. */
export function createNotificoreDriver(
  http: HttpClient,
  fields: FieldResolver,
  options: Pick<NotificoreOptions, 'listIds' | 'onUnmapped' | 'pageSize'> & { pageSize: number },
): ContactStoreDriver<NotificorePlan> {
  const reader = createNotificoreReader(http, fields, options.pageSize);
  const { get, findByPhone, toContact } = reader;
  const membership = createMembership(http, options.listIds);

  /** The `fields` of a write, after names are resolved; warns of custom keys nothing holds. */
  async function fieldValues(input: ContactPatch, mode: 'create' | 'update', call: CallContext) {
    const routing = await fields.routing(fields.needsAccountToWrite(input), call.signal);
    const { fields: values, unmapped } = toNotificoreFields(input, routing.idOf, mode);
    // Common fields without a fieldMap entry were already reported by `check`.
    const custom = unmapped.filter((path) => path.startsWith('customFields.'));
    const warnings = reportUnmapped(custom.map(unmappedWarning), options.onUnmapped, {
      provider,
      operation: mode,
    });
    return { values, warnings };
  }

  /** The contact a write answered with; the docs' create example only echoes the request. */
  async function written(response: HttpResponse, spec: RequestSpec, phone: string, id?: string) {
    const body = response.body as { data?: unknown } | undefined;
    const data = body && typeof body === 'object' && 'data' in body ? body.data : body;
    if (v.is(NotificoreContactSchema, data)) return toContact(data, spec, phone);
    const call = { signal: spec.signal };
    const stored = id ? await get(id, call) : await findByPhone(phone, call);
    if (!stored) throw invalidResponse(spec);
    return stored;
  }

  /** `preview` has no I/O: a field known only by name shows as `{ name, value }`. */
  function previewFields(input: ContactPatch, mode: 'create' | 'update'): FieldValueBody[] {
    return routeValues(input, fields.previewTarget, mode).routed.map(({ target, value }) =>
      typeof target === 'number' ? { id: target, value } : { name: target, value },
    );
  }

  /** The vendor checks of a write, and its projection: the mapping to field ids needs the account. */
  function plan(input: ContactPatch, operation: 'create' | 'update'): NotificorePlan {
    return {
      input,
      warnings: check(input, operation),
      projection: projectForNotificore(input as ContactInput, fields.holds),
      // Whether the account holds a field by name is known only once its field list is read.
      sent: projectForNotificore(input as ContactInput, fields.routes),
    };
  }

  function check(input: ContactPatch, operation: string): Warning[] {
    if (input.phone !== undefined && !isNotificorePhone(input.phone)) {
      throw invalidInput([{ path: 'phone', message: 'Notificore takes 9 to 15 digits' }], {
        provider,
        operation,
      });
    }
    const unmapped = MAPPABLE_FIELDS.filter(
      (field) => !!input[field] && !fields.isMapped(field),
    ).map(unmappedWarning);
    const warnings: Warning[] = [...unsupportedWarnings(input), ...unmapped];
    return reportUnmapped(warnings, options.onUnmapped, { provider, operation });
  }

  return {
    provider,
    capabilities: NOTIFICORE_CAPABILITIES,
    plan,
    async create(input, { input: planned }, call) {
      const phone = phoneOf(input, provider, 'create');
      const { values, warnings } = await fieldValues(planned, 'create', call);
      const body = {
        phone: toNotificorePhone(phone),
        ...(options.listIds ? { groups: options.listIds } : {}),
        fields: values,
      };
      const spec = createSpec(body, phone, call);
      const contact = await http.request(spec, async (response) => {
        if (isSuccess(response)) return written(response, spec, phone);
        throw toNotificoreError(http, response, spec);
      });
      const joined = await membership.ensure(contact, call);
      return { ...contact, warnings: [...warnings, ...joined] };
    },
    /**
     * Read, merge, write: the `PUT` carries the phone, every field value the contact holds with
     * the patch over them, and every list it is in, so it erases nothing whether Notificore
     * replaces or merges. Nothing changed: no `PUT`. Then the configured lists are joined.
     */
    async update(id, patch, { input: planned }, call) {
      const { values, warnings } = await fieldValues(planned, 'update', call);
      const current = await get(id, call, 'update');
      if (!current)
        throw new ContactSyncError({ code: 'not_found', provider, operation: 'update' });
      const held = parseFieldEntries((current.raw as { fields?: unknown } | null)?.fields);
      const needsNames = held.some((entry) => typeof entry.ref === 'string');
      const routing = await fields.routing(needsNames, call.signal);
      const merged = mergeFields(held, routing.refId, values);
      if (merged.unknown > 0) throw unaddressable(current);
      const phone = patch.phone ?? phoneOf(current, provider, 'update');
      let contact = current;
      if (merged.changed || phone !== current.phone) {
        const groups = groupIdsOf(current.raw);
        const body = {
          phone: toNotificorePhone(phone),
          ...(groups ? { groups } : {}),
          fields: merged.fields,
        };
        const spec = updateSpec(id, body, phone, call);
        contact = await http.request(spec, async (response) => {
          if (isSuccess(response)) return written(response, spec, phone, id);
          throw toNotificoreError(http, response, spec);
        });
      }
      const joined = await membership.ensure(contact, call);
      return { ...contact, warnings: [...warnings, ...joined] };
    },
    isCurrent: (existing) => membership.holdsAll(existing),
    get: (id, call) => get(id, call),
    findByPhone: (phone, call) => findByPhone(phone, call),
    async delete(id, call) {
      const spec = deleteSpec(id, call);
      await http.request(spec, (response) => {
        if (!isSuccess(response)) throw toNotificoreError(http, response, spec);
      });
    },
    list: reader.list,
    preview(operation, planned, id = '') {
      const input = planned?.input ?? {};
      if (operation === 'delete') return http.preview(deleteSpec(id, {}));
      if (operation === 'create') {
        const phone = input.phone ?? '';
        const body = {
          phone: toNotificorePhone(phone),
          ...(options.listIds ? { groups: options.listIds } : {}),
          fields: previewFields(input, 'create'),
        };
        return http.preview(createSpec(body, phone, {}));
      }
      const body = {
        ...(input.phone ? { phone: toNotificorePhone(input.phone) } : {}),
        fields: previewFields(input, 'update'),
      };
      return http.preview(updateSpec(id, body, input.phone, {}));
    },
  };
}
