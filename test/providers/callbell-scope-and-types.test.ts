import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallbellOptions,
  createCallbellContactStore,
} from '../../providers/callbell/index.js';
import {
  type CallbellEmulatorOptions,
  createCallbellEmulator,
} from '../../sandbox/callbell/emulator.js';
import type { ProviderEmulator } from '../../sandbox/emulator.js';
import { mountEmulator } from '../support/nock-emulator.js';

const ORIGIN = 'https://api.callbell.eu';
const MAIN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SECOND = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const TELEGRAM = 'cccccccccccccccccccccccccccccccc';
const CHANNELS: CallbellEmulatorOptions['channels'] = [
  { uuid: MAIN, main: true },
  { uuid: SECOND },
  { uuid: TELEGRAM, type: 'telegram', main: true },
];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const store = (options: Partial<CallbellOptions> = {}) =>
  createCallbellContactStore({
    apiToken: 'test-token',
    retry: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    rateLimit: false,
    fieldMap: { birthday: 'Birthday' },
    ...options,
  });

/** Creates a contact straight in the emulator (as another integration, or the inbox, would). */
function seed(emulator: ProviderEmulator, identifier: string, extra: Record<string, unknown> = {}) {
  const answer = emulator.handle({
    method: 'POST',
    path: '/contacts',
    query: new URLSearchParams(),
    headers: { authorization: 'Bearer test-token' },
    body: { identifier, source: 'whatsapp', name: identifier, ...extra },
  });
  expect(answer.status).toBe(200);
}

async function listed(options: Partial<CallbellOptions> = {}) {
  const phones: string[] = [];
  for await (const contact of store(options).list()) phones.push(contact.phone!);
  return phones.sort();
}

describe.each([
  ['contacts carry their channel, the list ignores channel_uuid', {}],
  [
    'contacts carry no channel, the list filters by channel_uuid',
    { contactChannel: false, listByChannel: true },
  ],
] as const)('callbell list() scoped to the store channel when %s', (_reading, readingOptions) => {
  function setUp() {
    const emulator = createCallbellEmulator({ channels: CHANNELS, ...readingOptions });
    const mount = mountEmulator(emulator, ORIGIN);
    seed(emulator, '33610000001');
    seed(emulator, '33610000002', { channel_uuid: SECOND });
    seed(emulator, '33610000003', { source: 'telegram', channel_uuid: TELEGRAM });
    return { emulator, mount };
  }

  it('lists only the configured channel’s WhatsApp contacts, asking with source=whatsapp', async () => {
    const { mount } = setUp();
    expect(await listed({ channelUuid: SECOND })).toEqual(['+33610000002']);
    expect(await listed({ channelUuid: MAIN })).toEqual(['+33610000001']);
    const query = mount.requests[0]?.query;
    expect(query?.get('source')).toBe('whatsapp');
  });
});

describe('callbell list() without a configured channel', () => {
  it('lists the main WhatsApp channel’s contacts only', async () => {
    const emulator = createCallbellEmulator({ channels: CHANNELS });
    mountEmulator(emulator, ORIGIN);
    seed(emulator, '33610000001');
    seed(emulator, '33610000002', { channel_uuid: SECOND });
    seed(emulator, '33610000003', { source: 'telegram', channel_uuid: TELEGRAM });
    expect(await listed()).toEqual(['+33610000001']);
  });
});

describe('callbell custom-field types', () => {
  function setUp() {
    const emulator = createCallbellEmulator();
    const mount = mountEmulator(emulator, ORIGIN);
    // A contact that holds every typed field: its metadata is where the types are read.
    seed(emulator, '33610000009', {
      custom_fields: {
        Features: ['Dark Mode'],
        Seats: '3',
        Plan: 'Free',
        Email: 'a@example.com',
        Birthday: '1990-01-01',
      },
    });
    const writes = () => mount.requests.filter((request) => request.method !== 'GET').length;
    const typeReads = () =>
      mount.requests.filter((request) => request.query?.get('include_field_types') === 'true')
        .length;
    return { emulator, mount, writes, typeReads };
  }

  it('sends a checkbox value as a list of options, read back as JSON text', async () => {
    const { emulator } = setUp();
    const contacts = store();
    const created = await contacts.create({
      phone: '+33612345678',
      customFields: { Features: '["Dark Mode", "Analytics"]', Seats: ' 12 ' },
    });
    expect(created.customFields).toEqual({ Features: '["Dark Mode","Analytics"]', Seats: '12' });
    const single = await contacts.create({
      phone: '+33612345679',
      customFields: { Features: 'Analytics', Plan: 'Pro' },
    });
    expect(single.customFields).toEqual({ Features: '["Analytics"]', Plan: 'Pro' });
    expect(emulator.contacts()).toHaveLength(3);
  });

  it('reads the types once per store', async () => {
    const { typeReads } = setUp();
    const contacts = store();
    await contacts.create({ phone: '+33612345678', customFields: { Seats: '1' } });
    await contacts.create({ phone: '+33612345679', customFields: { Seats: '2' } });
    const updated = await contacts.upsert({ phone: '+33612345679', customFields: { Seats: '3' } });
    expect(updated.contact.customFields).toEqual({ Seats: '3' });
    expect(typeReads()).toBe(1);
  });

  it('reports an unchanged checkbox value as unchanged, whatever its spelling', async () => {
    setUp();
    const contacts = store();
    const input = {
      phone: '+33612345678',
      customFields: { Features: '["Dark Mode","Analytics"]' },
    };
    await contacts.create(input);
    const again = await contacts.upsert({
      ...input,
      customFields: { Features: '[ "Dark Mode" , "Analytics" ]' },
    });
    expect(again.action).toBe('unchanged');
  });

  it.each([
    [{ customFields: { Seats: 'twelve' } }, 'customFields.Seats'],
    [{ customFields: { Plan: 'Enterprise' } }, 'customFields.Plan'],
    [{ customFields: { Email: 'not-an-email' } }, 'customFields.Email'],
    [{ customFields: { Features: 'Telepathy' } }, 'customFields.Features'],
    [{ customFields: { Features: '["Dark Mode", 3]' } }, 'customFields.Features'],
  ])('refuses %j as invalid_input naming %s, before any write', async (input, path) => {
    const { writes, emulator } = setUp();
    const contacts = store();
    const error = await contacts.create({ phone: '+33612345678', ...input }).catch((e) => e);
    expect(error).toMatchObject({
      code: 'invalid_input',
      provider: 'callbell',
      operation: 'create',
    });
    expect(error.issues).toEqual([{ path, message: expect.any(String) }]);
    expect(writes()).toBe(0);
    expect(emulator.contacts()).toHaveLength(1);
    // Once the types are known, the validation step refuses before any request at all.
    const before = emulator.contacts().length;
    await expect(contacts.update('0'.repeat(32), input)).rejects.toMatchObject({
      code: 'invalid_input',
      operation: 'update',
    });
    expect(emulator.contacts()).toHaveLength(before);
  });

  it('sends a value of a field no contact reveals the type of as the text given', async () => {
    const emulator = createCallbellEmulator();
    mountEmulator(emulator, ORIGIN);
    const created = await store().create({ phone: '+33612345678', customFields: { City: 'Lyon' } });
    expect(created.customFields).toEqual({ City: 'Lyon' });
  });
});
