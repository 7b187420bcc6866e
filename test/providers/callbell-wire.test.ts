import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { CallbellOptions } from '../../providers/callbell/index.js';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { useStrictNock } from '../support/strict-nock.js';

const ORIGIN = 'https://api.callbell.eu';
const TOKEN = 'cb-wire-token';
const UUID = '414a6d692bd645ed803f2e7ce360d4c8';
const CHANNEL = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const PHONE = '+33612345678';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/callbell/${name}.json`, import.meta.url), 'utf8'));

const store = (options: Partial<CallbellOptions> = {}) =>
  createCallbellContactStore({
    apiToken: TOKEN,
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    rateLimit: false,
    fieldMap: { company: 'Company', birthday: 'Birthday' },
    ...options,
  });

/** Every request must carry Callbell's bearer token and ask for JSON. */
const callbell = () =>
  nock(ORIGIN, {
    reqheaders: { authorization: `Bearer ${TOKEN}`, accept: /application\/json/ },
  });

/** The one read of the account's field types, before the first write with custom fields. */
const fieldTypes = (query: Record<string, string> = {}) =>
  callbell()
    .get('/v1/contacts')
    .query({ page: '1', source: 'whatsapp', include_field_types: 'true', ...query })
    .reply(200, fixture('list.field-types'));

useStrictNock();

describe('callbell create', () => {
  it('posts a WhatsApp contact with the digits as identifier and custom fields by name', async () => {
    fieldTypes();
    callbell()
      .post('/v1/contacts', {
        identifier: '33612345678',
        source: 'whatsapp',
        name: 'Jeanne Martin',
        tags: ['lead'],
        custom_fields: { Birthday: '1990-04-21', Company: 'Acme' },
        assigned_user: 'agent@example.com',
      })
      .matchHeader('content-type', /application\/json/)
      .reply(200, fixture('create.wrapped'));
    const contact = await store().create({
      phone: PHONE,
      firstName: 'Jeanne',
      lastName: 'Martin',
      birthday: '1990-04-21',
      tags: ['lead'],
      customFields: { company: 'Acme' },
      assignedUser: 'agent@example.com',
    });
    expect(contact).toMatchObject({
      id: UUID,
      provider: 'callbell',
      phone: PHONE,
      name: 'Jeanne Martin',
      birthday: '1990-04-21',
      tags: ['lead'],
      customFields: { company: 'Acme' },
      createdAt: '2026-01-05T10:00:00Z',
    });
    expect(contact.assignedUser).toBeUndefined();
    expect(contact.warnings.map((warning) => [warning.field, warning.reason])).toEqual([
      ['firstName', 'unmapped'],
      ['lastName', 'unmapped'],
    ]);
    expect(contact.raw).toEqual((fixture('create.wrapped').contact as unknown[])[0]);
  });

  it('names a contact without any name by its E.164 phone, and sends channel_uuid when configured', async () => {
    callbell()
      .post('/v1/contacts', {
        identifier: '33612345678',
        source: 'whatsapp',
        name: PHONE,
        channel_uuid: CHANNEL,
      })
      .reply(201, fixture('create.unwrapped'));
    const contact = await store({ channelUuid: CHANNEL }).create({ phone: PHONE });
    expect(contact.id).toBe(UUID);
    expect(contact.warnings).toEqual([]);
  });

  it.each([
    [422, 'create.already-exists'],
    [409, 'create.already-exists'],
  ])('turns %i "already exists" into conflict with the existing id', async (status, name) => {
    callbell().post('/v1/contacts').reply(status, fixture(name));
    callbell().get('/v1/contacts/phone/33612345678').reply(200, fixture('find-by-phone.unwrapped'));
    const error = await store()
      .create({ phone: PHONE })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'conflict', status, existingId: UUID, retryable: false });
  });

  it.each([
    ['create.tag-not-found', 'Tag not found: unknown'],
    ['create.custom-field-not-found', 'Custom field not found: Shoe size'],
    ['create.errors-object', 'assigned_user: is not a confirmed user'],
    ['create.errors-array', 'Tag not found: unknown; Custom field not found: Shoe size'],
  ])('turns the refusal %s into invalid_input with its message, once', async (name, message) => {
    callbell().post('/v1/contacts').reply(422, fixture(name));
    const error = await store()
      .create({ phone: PHONE, tags: ['unknown'] })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', status: 422, retryable: false });
    expect(error.message).toContain(message);
  });

  it('reads a 400 refusal as invalid_input too', async () => {
    callbell().post('/v1/contacts').reply(400, 'Bad Request', { 'content-type': 'text/plain' });
    const error = await store()
      .create({ phone: PHONE })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', status: 400 });
    expect(error.message).toContain('Bad Request');
  });

  it('reads the contact back by phone when the create answer holds none', async () => {
    callbell().post('/v1/contacts').reply(200, { contact: [] });
    callbell().get('/v1/contacts/phone/33612345678').reply(200, fixture('find-by-phone.unwrapped'));
    expect((await store().create({ phone: PHONE })).id).toBe(UUID);
  });
});

describe('callbell get and findByPhone', () => {
  it('reads a contact wrapped in an array, with phones in any format and checkbox values as text', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.wrapped'));
    const contact = await store().get(UUID);
    expect(contact).toMatchObject({
      id: UUID,
      phone: PHONE,
      tags: ['lead', 'vip'],
      assignedUser: 'agent@example.com',
      customFields: { company: 'Acme', City: 'Lyon', Interests: '["A","B"]' },
    });
    expect(contact?.customFields).not.toHaveProperty('Website');
    expect(contact?.url).toBeUndefined();
  });

  it('reads a contact that is not wrapped', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.unwrapped'));
    expect((await store().get(UUID))?.phone).toBe(PHONE);
  });

  it('resolves undefined for an unknown uuid', async () => {
    callbell().get('/v1/contacts/unknown').reply(404, fixture('get.not-found'));
    expect(await store().get('unknown')).toBeUndefined();
  });

  it('encodes the id in the path', async () => {
    callbell().get('/v1/contacts/a%2F..%3Fb').reply(404, fixture('get.not-found'));
    expect(await store().get('a/..?b')).toBeUndefined();
  });

  it('rejects a contact without a phone number as invalid_response', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.no-phone'));
    await expect(store().get(UUID)).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('rejects a body without the contact shape as invalid_response, without retrying', async () => {
    callbell()
      .get(`/v1/contacts/${UUID}`)
      .reply(200, { contact: [{ name: 'no uuid' }] });
    await expect(store().get(UUID)).rejects.toMatchObject({
      code: 'invalid_response',
      retryable: false,
    });
  });

  it('looks a phone up by its digits on the main channel', async () => {
    callbell().get('/v1/contacts/phone/33612345678').reply(200, fixture('find-by-phone.unwrapped'));
    expect((await store().findByPhone('+33 6 12 34 56 78'))?.id).toBe(UUID);
  });

  it('looks a phone up on the configured channel and reads an array-wrapped answer', async () => {
    callbell()
      .get('/v1/contacts/phone/33612345678')
      .query({ channel_uuid: CHANNEL })
      .reply(200, fixture('find-by-phone.wrapped'));
    const contact = await store({ channelUuid: CHANNEL }).findByPhone(PHONE);
    expect(contact).toMatchObject({ id: UUID, phone: PHONE });
  });

  it('resolves undefined for an unknown phone', async () => {
    callbell().get('/v1/contacts/phone/33612345678').reply(404, fixture('find-by-phone.not-found'));
    expect(await store().findByPhone(PHONE)).toBeUndefined();
  });
});

describe('callbell update and delete', () => {
  it('patches name, tags, custom fields and the assignee', async () => {
    fieldTypes();
    callbell()
      .patch(`/v1/contacts/${UUID}`, {
        name: 'Jeanne-Marie Martin',
        tags: ['vip'],
        custom_fields: { Company: 'Globex' },
        assigned_user: 'agent@example.com',
      })
      .reply(200, fixture('update.wrapped'));
    const contact = await store().update(UUID, {
      name: 'Jeanne-Marie Martin',
      tags: ['vip'],
      customFields: { company: 'Globex' },
      assignedUser: 'agent@example.com',
    });
    expect(contact).toMatchObject({ id: UUID, phone: PHONE, name: 'Jeanne-Marie Martin' });
  });

  it('sends unassign_user for assignedUser null', async () => {
    callbell()
      .patch(`/v1/contacts/${UUID}`, { unassign_user: true })
      .reply(200, fixture('update.wrapped'));
    expect((await store().update(UUID, { assignedUser: null })).assignedUser).toBeUndefined();
  });

  it('composes the name from the first and last name of the patch', async () => {
    callbell()
      .patch(`/v1/contacts/${UUID}`, { name: 'Jeanne-Marie Martin' })
      .reply(200, fixture('update.wrapped'));
    const contact = await store().update(UUID, { firstName: 'Jeanne-Marie', lastName: 'Martin' });
    expect(contact.warnings.map((warning) => warning.field)).toEqual(['firstName', 'lastName']);
  });

  it('leaves the name alone when a patch has one name part and the other is not kept', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.unwrapped'));
    const contact = await store().update(UUID, { firstName: 'Jeanne-Marie' });
    expect(contact.name).toBe('Jeanne Martin');
    expect(contact.warnings).toEqual([
      expect.objectContaining({ field: 'firstName', reason: 'unmapped' }),
    ]);
  });

  it('completes a one-part name patch with the other part the contact holds', async () => {
    const held = fixture('get.unwrapped') as { contact: { customFields: Record<string, string> } };
    held.contact.customFields['Last name'] = 'Martin';
    fieldTypes();
    callbell()
      .get(`/v1/contacts/${UUID}`)
      .reply(200, held)
      .patch(`/v1/contacts/${UUID}`, {
        name: 'Jeanne-Marie Martin',
        custom_fields: { 'First name': 'Jeanne-Marie' },
      })
      .reply(200, fixture('update.wrapped'));
    const fieldMap = { firstName: 'First name', lastName: 'Last name' };
    await store({ fieldMap }).update(UUID, { firstName: 'Jeanne-Marie' });
  });

  it('reads the contact instead of sending an empty patch', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.unwrapped'));
    const contact = await store().update(UUID, { url: 'https://example.com' });
    expect(contact.id).toBe(UUID);
    expect(contact.warnings).toEqual([
      expect.objectContaining({ field: 'url', reason: 'unmapped' }),
    ]);
  });

  it('rejects not_found for an unknown uuid', async () => {
    callbell().patch(`/v1/contacts/${UUID}`).reply(404, fixture('get.not-found'));
    await expect(store().update(UUID, { name: 'X' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects a phone change as unsupported after reading the contact, and sends no patch', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.unwrapped'));
    await expect(store().update(UUID, { phone: '+33698765432' })).rejects.toMatchObject({
      code: 'unsupported',
    });
  });

  it('accepts the unchanged phone in a patch and leaves it out of the body', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.unwrapped'));
    callbell()
      .patch(`/v1/contacts/${UUID}`, { name: 'Jeanne' })
      .reply(200, fixture('update.wrapped'));
    expect((await store().update(UUID, { phone: PHONE, name: 'Jeanne' })).id).toBe(UUID);
  });

  it('deletes by uuid', async () => {
    callbell().delete(`/v1/contacts/${UUID}`).reply(200, fixture('delete.ok'));
    await expect(store().delete(UUID)).resolves.toBeUndefined();
  });

  it('rejects not_found when deleting an unknown uuid', async () => {
    callbell().delete(`/v1/contacts/${UUID}`).reply(404, fixture('delete.not-found'));
    await expect(store().delete(UUID)).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });
});

describe('callbell list', () => {
  const ids = async (options: Partial<CallbellOptions> = {}) => {
    const seen: string[] = [];
    for await (const contact of store(options).list()) seen.push(contact.id);
    return seen;
  };

  it('reads the documented page without meta and stops on a page shorter than 20', async () => {
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp' })
      .reply(200, fixture('list.documented'));
    expect(await ids()).toHaveLength(2);
  });

  it('follows meta.next with after= until Callbell gives no next', async () => {
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp' })
      .reply(200, fixture('list.meta'));
    callbell()
      .get('/v1/contacts')
      .query({ after: 'eyJwYWdlIjoyfQ', source: 'whatsapp' })
      .reply(200, fixture('list.meta-last'));
    expect(await ids()).toHaveLength(23);
  });

  it('goes by page number up to meta.pages when there is no cursor', async () => {
    const { next: _none, ...meta } = fixture('list.meta').meta as Record<string, unknown>;
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp' })
      .reply(200, { ...fixture('list.meta'), meta });
    callbell()
      .get('/v1/contacts')
      .query({ page: '2', source: 'whatsapp' })
      .reply(200, { ...fixture('list.meta'), meta: { page: 2, pages: 2 } });
    expect(await ids()).toHaveLength(40);
  });

  it('stops on an empty page', async () => {
    const full = { contacts: fixture('list.meta').contacts };
    callbell().get('/v1/contacts').query({ page: '1', source: 'whatsapp' }).reply(200, full);
    callbell()
      .get('/v1/contacts')
      .query({ page: '2', source: 'whatsapp' })
      .reply(200, fixture('list.empty'));
    expect(await ids()).toHaveLength(20);
  });

  it('rejects a repeated cursor instead of looping forever', async () => {
    const looping = { ...fixture('list.meta'), meta: { page: 1, pages: 9, next: 'same' } };
    callbell().get('/v1/contacts').query({ page: '1', source: 'whatsapp' }).reply(200, looping);
    callbell().get('/v1/contacts').query({ after: 'same', source: 'whatsapp' }).reply(200, looping);
    await expect(ids()).rejects.toMatchObject({ code: 'invalid_response', operation: 'list' });
  });

  it.each([
    ['list.pagination-limit', 'Pagination limit exceeded'],
    ['list.invalid-cursor', 'Invalid pagination cursor'],
  ])('turns the 400 %s into invalid_input', async (name, message) => {
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp' })
      .reply(400, fixture(name));
    const error = await ids().catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', status: 400 });
    expect(error.message).toContain(message);
  });

  it('asks for the configured channel and skips contacts the answer puts on another one', async () => {
    const page = fixture('list.documented');
    const [first, second] = page.contacts as Record<string, unknown>[];
    const channel = (uuid: string, main: boolean) => ({
      uuid,
      title: 'WA',
      type: 'whatsapp',
      main,
    });
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp', channel_uuid: CHANNEL })
      .reply(200, {
        contacts: [
          { ...first, channel: channel(CHANNEL, false) },
          { ...second, channel: channel('0'.repeat(32), true) },
        ],
      });
    expect(await ids({ channelUuid: CHANNEL })).toEqual([first?.uuid]);
  });

  it('keeps the main channel without a configured one, and skips a source other than whatsapp', async () => {
    const page = fixture('list.documented');
    const [first, second] = page.contacts as Record<string, unknown>[];
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp' })
      .reply(200, {
        contacts: [
          { ...first, channel: { uuid: CHANNEL, main: false } },
          { ...second, source: 'telegram' },
          { ...second, uuid: 'f'.repeat(32), channel: { uuid: '0'.repeat(32), main: true } },
        ],
      });
    expect(await ids()).toEqual(['f'.repeat(32)]);
  });

  it('skips contacts without a phone number', async () => {
    const page = fixture('list.documented');
    const [first, second] = page.contacts as Record<string, unknown>[];
    callbell()
      .get('/v1/contacts')
      .query({ page: '1', source: 'whatsapp' })
      .reply(200, { contacts: [first, { ...second, phoneNumber: null, source: 'telegram' }] });
    expect(await ids()).toEqual([first?.uuid]);
  });
});

describe('callbell errors and transport', () => {
  it.each([401, 403])(
    'classifies %i as unauthorized after one request, without the token',
    async (status) => {
      callbell().get(`/v1/contacts/${UUID}`).reply(status, fixture('error.unauthorized'));
      const error = await store()
        .get(UUID)
        .catch((caught) => caught);
      expect(error).toMatchObject({ code: 'unauthorized', status, retryable: false });
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(TOKEN);
    },
  );

  it('retries a 500 and then succeeds', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(500, { error: 'Internal Server Error' });
    callbell().get(`/v1/contacts/${UUID}`).reply(200, fixture('get.unwrapped'));
    expect((await store().get(UUID))?.id).toBe(UUID);
  });

  it('rejects a 2xx that is not JSON as invalid_response', async () => {
    callbell().get(`/v1/contacts/${UUID}`).reply(200, '<html>', { 'content-type': 'text/html' });
    await expect(store().get(UUID)).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('callbell preview', () => {
  it('shows the create request with the token redacted', () => {
    const preview = store({ channelUuid: CHANNEL }).preview('create', {
      phone: '+33 6 12 34 56 78',
      name: 'Jeanne',
    });
    expect(preview).toEqual({
      method: 'POST',
      url: 'https://api.callbell.eu/v1/contacts',
      headers: {
        accept: 'application/json',
        authorization: '[redacted]',
        'content-type': 'application/json',
      },
      body: {
        identifier: '33612345678',
        source: 'whatsapp',
        name: 'Jeanne',
        channel_uuid: CHANNEL,
      },
    });
  });

  it('shows the update and delete requests', () => {
    const contacts = store();
    expect(contacts.preview('update', { assignedUser: null, tags: [] }, UUID)).toMatchObject({
      method: 'PATCH',
      url: `https://api.callbell.eu/v1/contacts/${UUID}`,
      body: { tags: [], unassign_user: true },
    });
    expect(contacts.preview('delete', {}, UUID)).toMatchObject({
      method: 'DELETE',
      url: `https://api.callbell.eu/v1/contacts/${UUID}`,
    });
  });
});
