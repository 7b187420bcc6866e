import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotificoreContactStore,
  type NotificoreOptions,
} from '../../providers/notificore/index.js';
import {
  createNotificoreEmulator,
  type NotificoreEmulatorOptions,
} from '../../sandbox/notificore/emulator.js';
import { mountEmulator } from '../support/nock-emulator.js';

const ORIGIN = 'https://one-api.notificore.ru';
const PHONE = '+33612345678';
const fieldMap = { firstName: 25964, lastName: 25965 };
const fast = { retry: { retries: 2, minTimeout: 0, maxTimeout: 0 } } as const;
const LISTS = [
  { id: 56147, name: 'Newsletter' },
  { id: 777, name: 'Customers' },
  { id: 888, name: 'Kept by hand' },
];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function setUp(emulatorOptions: NotificoreEmulatorOptions = {}) {
  const emulator = createNotificoreEmulator({ lists: LISTS, ...emulatorOptions });
  const mount = mountEmulator(emulator, ORIGIN);
  const store = (options: Partial<NotificoreOptions> = {}) =>
    createNotificoreContactStore({ apiKey: 'test-key', fieldMap, ...fast, ...options });
  /** The contact as the emulator holds it: field values by id, list ids. */
  const held = () => {
    const [contact] = emulator.contacts();
    const record = contact?.record as {
      fields: { id: number; value: string }[];
      groups: { id: number }[];
    };
    return {
      fields: Object.fromEntries(record.fields.map((field) => [field.id, field.value])),
      groups: record.groups.map((group) => group.id).sort(),
    };
  };
  return { emulator, mount, store, held };
}

describe.each(['replace', 'merge'] as const)('notificore, PUT that %ss', (updateSemantics) => {
  it('an update keeps every field the patch does not name, mapped or not', async () => {
    const { store, held } = setUp({ updateSemantics });
    const contacts = store();
    const created = await contacts.create({
      phone: PHONE,
      firstName: 'Ana',
      lastName: 'Lopez',
      customFields: { Company: 'Acme' },
    });
    const updated = await contacts.update(created.id, { firstName: 'Anna' });
    expect(updated).toMatchObject({ firstName: 'Anna', lastName: 'Lopez' });
    expect(updated.customFields).toEqual({ Company: 'Acme' });
    expect(held().fields).toEqual({ 25964: 'Anna', 25965: 'Lopez', 25970: 'Acme' });
  });

  it('an update clears a field given as "" and nothing else', async () => {
    const { store, held } = setUp({ updateSemantics });
    const contacts = store();
    const created = await contacts.create({ phone: PHONE, firstName: 'Ana', lastName: 'Lopez' });
    await contacts.update(created.id, { lastName: '' });
    expect(held().fields).toEqual({ 25964: 'Ana' });
  });

  it('a phone change keeps the fields and the lists the contact is in', async () => {
    const { store, held } = setUp({ updateSemantics });
    const created = await store({ listIds: [888] }).create({ phone: PHONE, firstName: 'Ana' });
    const moved = await store().update(created.id, { phone: '+33698765432' });
    expect(moved).toMatchObject({ phone: '+33698765432', firstName: 'Ana' });
    expect(held()).toEqual({ fields: { 25964: 'Ana' }, groups: [888] });
  });

  it('an upsert of a phone already in the book, with the same data, joins the configured lists', async () => {
    const { store, held } = setUp({ updateSemantics });
    await store({ listIds: [888] }).create({ phone: PHONE, firstName: 'Ana' });
    const result = await store({ listIds: [56147, 777] }).upsert({
      phone: PHONE,
      firstName: 'Ana',
    });
    expect(result.action).toBe('updated');
    expect(result.contact.warnings).toEqual([]);
    expect(held()).toEqual({ fields: { 25964: 'Ana' }, groups: [777, 888, 56147].sort() });
    const again = await store({ listIds: [56147, 777] }).upsert({ phone: PHONE, firstName: 'Ana' });
    expect(again.action).toBe('unchanged');
  });

  it('an upsert that changes a field joins the lists and keeps the other fields', async () => {
    const { store, held } = setUp({ updateSemantics });
    await store().create({ phone: PHONE, firstName: 'Ana', lastName: 'Lopez' });
    const result = await store({ listIds: [777] }).upsert({ phone: PHONE, firstName: 'Eve' });
    expect(result.action).toBe('updated');
    expect(held()).toEqual({ fields: { 25964: 'Eve', 25965: 'Lopez' }, groups: [777] });
  });
});

describe('notificore list membership', () => {
  it('reports a list the account does not have as a warning, and the write stands', async () => {
    const { store, held, mount } = setUp();
    const contacts = store({ listIds: [777, 4242] });
    const created = await contacts.create({ phone: PHONE, firstName: 'Ana' }).catch((e) => e);
    // The create names the unknown list itself: Notificore refuses it as a whole.
    expect(created).toMatchObject({ code: 'invalid_input' });
    const plain = await store().create({ phone: PHONE, firstName: 'Ana' });
    mount.clear();
    const updated = await contacts.update(plain.id, { firstName: 'Eve' });
    expect(updated.firstName).toBe('Eve');
    expect(updated.warnings).toEqual([
      { field: 'listIds', reason: 'ignored', message: expect.stringContaining('777, 4242') },
    ]);
    expect(held()).toEqual({ fields: { 25964: 'Eve' }, groups: [] });
    expect(mount.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /api/contacts/${plain.id}`,
      `PUT /api/contacts/${plain.id}`,
      'POST /api/groups/attach',
    ]);
  });

  it('sends one read and no write when the contact already holds the patch and the lists', async () => {
    const { store, mount } = setUp();
    const contacts = store({ listIds: [777] });
    const created = await contacts.create({ phone: PHONE, firstName: 'Ana' });
    mount.clear();
    await contacts.update(created.id, { firstName: 'Ana' });
    expect(mount.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/contacts/248452739',
    ]);
  });
});
