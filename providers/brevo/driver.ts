import type { Contact, ContactPatch } from '../../src/contact.js';
import type { Capabilities } from '../../src/contact-store.js';
import { ContactSyncError, invalidInput } from '../../src/errors.js';
import type { HttpClient, RequestSpec } from '../../src/http.js';
import { phoneOf } from '../../src/identity.js';
import { type ContactStoreDriver, reportUnmapped, type WritePlan } from '../../src/store.js';
import { CreatedSchema, parsed } from './api.js';
import {
  type AccountAttributes,
  type AttributeValue,
  type createAttributeCache,
  typedAttributes,
} from './attributes.js';
import { createBrevoImport } from './bulk.js';
import { toBrevoError } from './errors.js';
import { createBrevoReader, isBrevoId, isSuccess } from './list.js';
import { type MappedAttributes, projectBrevo, readerOf, toBrevoAttributes } from './mappers.js';
import { IDENTIFIER_ATTRIBUTES, type ParsedBrevoOptions } from './options.js';
import {
  type BrevoWriteBody,
  type CallContext,
  createRequest,
  deleteRequest,
  updateRequest,
} from './requests.js';

const provider = 'brevo';

/** One Brevo write, mapped once: its attributes as text (typed when sent) and their sources. */
export interface BrevoPlan extends WritePlan {
  mapped: MappedAttributes;
  phone?: string;
}

/** The Brevo half of the store: maps, sends through `http`, parses. */
export function createBrevoDriver(
  http: HttpClient,
  attributes: ReturnType<typeof createAttributeCache>,
  options: ParsedBrevoOptions,
): ContactStoreDriver<BrevoPlan> {
  const reader = readerOf(options.fieldMap);
  const read = createBrevoReader(http, reader, options.pageSize);
  const listIds = options.listIds?.length ? options.listIds : undefined;

  const capabilities: Capabilities = {
    // The SMS number is the identity (a WhatsApp user id has no place in Brevo).
    identity: ['phone'],
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
    optOut: 'native',
    // Brevo's import needs a list to import into.
    upsertMany: listIds ? 'native' : 'unsupported',
  };

  /** The attributes of a write in their types (the account's list read once, first). */
  async function typed(plan: BrevoPlan, operation: string, call: CallContext) {
    const { texts, sources } = plan.mapped;
    if (Object.keys(texts).length === 0) return {};
    const account = await attributes.get(call.signal);
    return typedAttributes(texts, account, sources, { provider, operation });
  }

  /** The identifiers a write carries: the SMS number, and WHATSAPP with `whatsapp: true`. */
  const phoneAttributes = (phone: string | undefined): Record<string, AttributeValue> =>
    phone ? { SMS: phone, ...(options.whatsapp ? { WHATSAPP: phone } : {}) } : {};

  function body(values: Record<string, AttributeValue>, phone?: string): BrevoWriteBody {
    const all = { ...values, ...phoneAttributes(phone) };
    return {
      ...(Object.keys(all).length ? { attributes: all } : {}),
      ...(listIds ? { listIds: [...listIds] } : {}),
    };
  }

  function send(spec: RequestSpec, sources: Record<string, string>) {
    return http.request(spec, (response) => {
      if (isSuccess(response)) return response;
      throw toBrevoError(http, response, spec, sources);
    });
  }

  async function current(id: string, call: CallContext, operation: string): Promise<Contact> {
    const contact = await read.get(id, { signal: call.signal }, operation);
    if (!contact) throw new ContactSyncError({ code: 'not_found', provider, operation });
    return contact;
  }

  /**
   * How Brevo clears an attribute (`null` or `''`) is unconfirmed: `null` is sent; an attribute
   * still held after the update is sent again as `''`.
   */
  async function clearAgain(
    id: string,
    sent: Record<string, AttributeValue>,
    contact: Contact,
    plan: BrevoPlan,
    call: CallContext,
  ): Promise<Contact> {
    const held = (contact.raw as { attributes?: Record<string, unknown> } | null)?.attributes ?? {};
    const stuck = Object.keys(sent).filter(
      (name) =>
        sent[name] === null && held[name] !== undefined && held[name] !== null && held[name] !== '',
    );
    if (stuck.length === 0) return contact;
    const again = Object.fromEntries(stuck.map((name) => [name, '']));
    await send(
      updateRequest(id, { attributes: again }, undefined, 'update', call),
      plan.mapped.sources,
    );
    return current(id, call, 'update');
  }

  const driver: ContactStoreDriver<BrevoPlan> = {
    provider,
    capabilities,
    plan(input, operation) {
      const mapped = toBrevoAttributes(input, options.fieldMap);
      // A custom field named like an identifier would overwrite it (or be overwritten): refused.
      const identifiers = Object.keys(mapped.texts).filter((name) =>
        IDENTIFIER_ATTRIBUTES.includes(name),
      );
      if (identifiers.length) {
        throw invalidInput(
          identifiers.map((name) => ({
            path: mapped.sources[name] ?? name,
            message: `${name} identifies a Brevo contact; it is not a field`,
          })),
          { provider, operation },
        );
      }
      const known = attributes.known();
      // With the account's attributes read, a value of the wrong type fails before any request.
      if (known) typedAttributes(mapped.texts, known, mapped.sources, { provider, operation });
      let projection: ContactPatch | undefined;
      return {
        mapped,
        phone: input.phone,
        warnings: reportUnmapped(mapped.warnings, options.onUnmapped, { provider, operation }),
        get projection() {
          projection ??= projectBrevo(mapped, input.phone, reader, attributes.known());
          return projection;
        },
      };
    },
    async create(input, plan, call) {
      const phone = phoneOf(input, provider, 'create');
      const values = await typed(plan, 'create', call);
      const spec = createRequest(body(values, phone), phone, call);
      const response = await send(spec, plan.mapped.sources);
      if (response.status !== 201) {
        // Not documented without `updateEnabled`: read what Brevo holds instead.
        const stored = await read.findByPhone(phone, { signal: call.signal }, 'create');
        if (!stored) throw toBrevoError(http, response, spec);
        return stored;
      }
      const { id } = parsed(CreatedSchema, response.body, spec);
      return createdContact(String(id), phone, plan, values);
    },
    async update(id, patch, plan, call) {
      if (!isBrevoId(id))
        throw new ContactSyncError({ code: 'not_found', provider, operation: 'update' });
      const values = await typed(plan, 'update', call);
      const sent = body(values, patch.phone);
      await send(updateRequest(id, sent, patch.phone, 'update', call), plan.mapped.sources);
      const contact = await current(id, call, 'update');
      return clearAgain(id, values, contact, plan, call);
    },
    isCurrent(existing) {
      if (!listIds) return true;
      const held = (existing.raw as { listIds?: unknown } | null)?.listIds;
      return Array.isArray(held) && listIds.every((list) => held.includes(list));
    },
    get: (id, call) => read.get(id, call),
    findByPhone: (phone, call) => read.findByPhone(phone, call),
    async delete(id, call) {
      if (!isBrevoId(id))
        throw new ContactSyncError({ code: 'not_found', provider, operation: 'delete' });
      await send(deleteRequest(id, call), {});
    },
    list: (listOptions) => read.list(listOptions),
    preview(operation, plan, id = '') {
      if (operation === 'delete' || !plan) return http.preview(deleteRequest(id, {}));
      const known: AccountAttributes | undefined = attributes.known();
      const values: Record<string, AttributeValue> = known
        ? typedAttributes(plan.mapped.texts, known, plan.mapped.sources, {
            provider,
            operation: 'preview',
          })
        : Object.fromEntries(
            Object.entries(plan.mapped.texts).map(([name, text]) => [
              name,
              text === '' ? null : text,
            ]),
          );
      if (operation === 'update') {
        return http.preview(updateRequest(id, body(values, plan.phone), plan.phone, 'update', {}));
      }
      const phone = plan.phone ?? '';
      return http.preview(createRequest(body(values, phone), phone, {}));
    },
  };
  if (listIds) {
    const bulk = createBrevoImport(http, read, { ...options, listIds }, (plan, signal) =>
      typed(plan, 'upsert', { signal }),
    );
    driver.createMany = (inputs, plans, call) =>
      bulk.createMany(inputs, plans, call, phoneAttributes);
    (driver as { createManyFrom?: number }).createManyFrom = 10;
  }
  return driver;
}

/** A created contact as Brevo now holds it: what was sent (201 carries only the id). */
function createdContact(
  id: string,
  phone: string,
  plan: BrevoPlan,
  values: Record<string, AttributeValue>,
): Contact {
  const held: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(plan.projection)) {
    if (value !== '' && value !== undefined && key !== 'phone' && key !== 'customFields')
      held[key] = value as string;
  }
  const customFields = plan.projection.customFields
    ? Object.fromEntries(
        Object.entries(plan.projection.customFields).filter(([, text]) => text !== ''),
      )
    : undefined;
  return {
    ...held,
    ...(customFields && Object.keys(customFields).length ? { customFields } : {}),
    id,
    provider,
    phone,
    warnings: [],
    raw: { id: Number(id), attributes: { ...values, SMS: phone } },
  };
}
