import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  createNotificoreContactStore,
  type NotificoreOptions,
} from '../../providers/notificore/index.js';
import { useStrictNock } from '../support/strict-nock.js';

const ORIGIN = 'https://one-api.notificore.ru';
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/notificore/${name}.json`, import.meta.url), 'utf8'));
const PHONE = '+33612345678';

const store = (options: Partial<NotificoreOptions> = {}) =>
  createNotificoreContactStore({
    apiKey: 'live_key',
    retry: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    ...options,
  });
const login = () => nock(ORIGIN).post('/api/auth/login').reply(200, fixture('login.success'));
const api = () => nock(ORIGIN);
const created = (fields: unknown) => ({
  data: { id: 1, phone: 33612345678, fields, created_at: '2026-01-05 10:00:00' },
});

useStrictNock();

describe('notificore fieldMap by name', () => {
  it('resolves names once through the fields endpoint, shared by concurrent calls', async () => {
    login();
    api().get('/api/contacts/fields').once().reply(200, fixture('fields.success'));
    api()
      .post('/api/contacts', { phone: 33612345678, fields: [{ id: 25964, value: 'Ana' }] })
      .reply(201, created([{ id: 25964, value: 'Ana' }]));
    api()
      .post('/api/contacts', { phone: 33612345679, fields: [{ id: 25970, value: 'Acme' }] })
      .reply(201, created([{ id: 25970, value: 'Acme' }]));
    const contacts = store({ fieldMap: { firstName: 'First name', company: 'Company' } });
    const [first, second] = await Promise.all([
      contacts.create({ phone: PHONE, firstName: 'Ana' }),
      contacts.create({ phone: '+33612345679', customFields: { company: 'Acme' } }),
    ]);
    expect(first.firstName).toBe('Ana');
    expect(second.customFields).toEqual({ company: 'Acme' });
  });

  it('rejects invalid_config naming fieldMap.<key> for a name the account lacks, before any contact request', async () => {
    login();
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    const contacts = store({ fieldMap: { firstName: 'Prénom', lastName: 'Last name' } });
    const error = await contacts.create({ phone: PHONE }).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_config', provider: 'notificore' });
    expect(error.issues).toEqual([{ path: 'fieldMap.firstName', message: expect.any(String) }]);
    // The list is cached: the next call fails the same way without asking again.
    await expect(contacts.get('1')).rejects.toMatchObject({ code: 'invalid_config' });
  });

  it('does not cache a failed fields request', async () => {
    login();
    api().get('/api/contacts/fields').twice().reply(500, {});
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    api()
      .get('/api/contacts/1')
      .reply(200, created({ 25964: 'Ana' }));
    const contacts = store({ fieldMap: { firstName: 'First name' } });
    await expect(contacts.get('1')).rejects.toMatchObject({ code: 'provider_error' });
    expect((await contacts.get('1'))?.firstName).toBe('Ana');
  });

  it('rejects two keys routed to the same field', () => {
    expect(() => store({ fieldMap: { firstName: 25964, name: 25964 } })).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [{ path: 'fieldMap.name', message: expect.any(String) }],
      }),
    );
  });
});

describe('notificore custom fields by identity and unmapped values', () => {
  it('writes a customFields key to the account field of the same name and reads it back', async () => {
    login();
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    api()
      .post('/api/contacts', { phone: 33612345678, fields: [{ id: 25970, value: 'Acme' }] })
      .reply(201, created([{ id: 25970, value: 'Acme' }]));
    const contact = await store().create({ phone: PHONE, customFields: { Company: 'Acme' } });
    expect(contact.customFields).toEqual({ Company: 'Acme' });
    expect(contact.warnings).toEqual([]);
  });

  it('warns of a customFields key no field holds, and still creates', async () => {
    login();
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    api().post('/api/contacts', { phone: 33612345678, fields: [] }).reply(201, created([]));
    const contact = await store().create({ phone: PHONE, customFields: { shoeSize: '42' } });
    expect(contact.warnings).toEqual([
      { field: 'customFields.shoeSize', reason: 'unmapped', message: expect.any(String) },
    ]);
  });

  it('with onUnmapped error, rejects an unknown customFields key before the contact request', async () => {
    login();
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    const error = await store({ onUnmapped: 'error' })
      .create({ phone: PHONE, customFields: { shoeSize: '42' } })
      .catch((caught) => caught);
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toEqual([{ path: 'customFields.shoeSize', message: expect.any(String) }]);
  });

  it('warns of common fields without a fieldMap entry, tags and assignedUser, with no fields request', async () => {
    login();
    api()
      .post('/api/contacts', { phone: 33612345678, fields: [{ id: 25964, value: 'Ana' }] })
      .reply(201, created([{ id: 25964, value: 'Ana' }]));
    const contact = await store({ fieldMap: { firstName: 25964 } }).create({
      phone: PHONE,
      firstName: 'Ana',
      lastName: 'Lopez',
      tags: ['vip'],
      assignedUser: 'agent@example.com',
    });
    expect(contact.warnings.map((warning) => [warning.field, warning.reason])).toEqual([
      ['tags', 'unsupported'],
      ['assignedUser', 'unsupported'],
      ['lastName', 'unmapped'],
    ]);
  });

  it('with onUnmapped error, rejects an unmapped common field before any request', async () => {
    const error = await store({ onUnmapped: 'error' })
      .create({ phone: PHONE, lastName: 'Lopez' })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(error.issues).toEqual([{ path: 'lastName', message: expect.any(String) }]);
  });

  it('reads fields no fieldMap entry claims by their account name; unknown ids stay in raw', async () => {
    login();
    api()
      .get('/api/contacts/1')
      .reply(
        200,
        created([
          { id: 25964, value: 'Ana' },
          { id: 25970, value: 'Acme' },
          { id: 99999, value: 'orphan' },
        ]),
      );
    api().get('/api/contacts/fields').reply(200, fixture('fields.success'));
    const contact = await store({ fieldMap: { firstName: 25964 } }).get('1');
    expect(contact?.firstName).toBe('Ana');
    expect(contact?.customFields).toEqual({ Company: 'Acme' });
    expect(JSON.stringify(contact?.raw)).toContain('orphan');
  });
});

describe('notificore options', () => {
  it.each([
    [{ apiKey: '' }, 'apiKey'],
    [{}, 'apiKey'],
    [{ apiKey: 'k', listIds: [0] }, 'listIds.0'],
    [{ apiKey: 'k', listIds: [1.5] }, 'listIds.0'],
    [{ apiKey: 'k', pageSize: 10 }, 'pageSize'],
    [{ apiKey: 'k', pageSize: 501 }, 'pageSize'],
    [{ apiKey: 'k', fieldMap: { phone: 1 } }, 'fieldMap.phone'],
    [{ apiKey: 'k', fieldMap: { tags: 'Tags' } }, 'fieldMap.tags'],
    [{ apiKey: 'k', fieldMap: { company: -3 } }, 'fieldMap.company'],
    [{ apiKey: 'k', groupId: '1' }, 'groupId'],
  ])('rejects %j as invalid_config naming %s', (options, path) => {
    let caught: unknown;
    try {
      createNotificoreContactStore(options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: 'invalid_config',
      issues: [expect.objectContaining({ path })],
    });
  });
});

describe('notificore preview', () => {
  it('shows the create request, key and JWT redacted, fields known only by name as { name }', () => {
    const preview = store({
      listIds: [56147],
      fieldMap: { firstName: 25964, lastName: 'Last name' },
    }).preview('create', { phone: PHONE, firstName: 'Ana', lastName: 'Lopez' });
    expect(preview).toEqual({
      method: 'POST',
      url: 'https://one-api.notificore.ru/api/contacts',
      headers: {
        accept: 'application/json',
        authorization: '[redacted]',
        'content-type': 'application/json',
      },
      body: {
        phone: 33612345678,
        groups: [56147],
        fields: [
          { id: 25964, value: 'Ana' },
          { name: 'Last name', value: 'Lopez' },
        ],
      },
    });
  });

  it('shows the update PUT (phone filled in by a read when the patch has none) and the delete', () => {
    const contacts = store({ fieldMap: { firstName: 25964 } });
    expect(contacts.preview('update', { firstName: '' }, '12')).toMatchObject({
      method: 'PUT',
      url: 'https://one-api.notificore.ru/api/contacts/12',
      body: { fields: [{ id: 25964, value: '' }] },
    });
    expect(contacts.preview('update', { phone: PHONE }, '12').body).toEqual({
      phone: 33612345678,
      fields: [],
    });
    expect(contacts.preview('delete', {}, '12')).toMatchObject({
      method: 'DELETE',
      url: 'https://one-api.notificore.ru/api/contacts/12',
    });
  });
});
