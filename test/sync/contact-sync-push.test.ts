import { describe, expect, it } from 'vitest';
import { ContactSyncError } from '../../src/errors.js';
import { createContactSync, type LinkStore, memoryLinkStore } from '../../src/sync/index.js';
import { createFakeContactStore } from './support/fake-contact-store.js';

const PHONE = '+33612345678';
const jeanne = { key: 'crm-42', contact: { phone: PHONE, firstName: 'Jeanne' } };

function setUp(policy?: 'all' | 'primary') {
  const alpha = createFakeContactStore('alpha');
  const beta = createFakeContactStore('beta');
  const links = memoryLinkStore();
  const sync = createContactSync({ stores: [alpha, beta], links, policy });
  return { alpha, beta, links, sync };
}

const unavailable = (provider: string) =>
  new ContactSyncError({ code: 'provider_error', provider, operation: 'upsert', status: 503 });

describe('ContactSync.push', () => {
  it('creates the contact at every store and links each id under the key', async () => {
    const { alpha, beta, links, sync } = setUp();
    const report = await sync.push(jeanne);
    expect(report).toEqual({
      key: 'crm-42',
      results: [
        { provider: 'alpha', status: 'created', id: 'alpha-1', warnings: [] },
        { provider: 'beta', status: 'created', id: 'beta-1', warnings: [] },
      ],
      record: jeanne,
    });
    expect(report.record).toBe(jeanne);
    expect(await links.get('crm-42')).toEqual({ alpha: 'alpha-1', beta: 'beta-1' });
    expect(alpha.contacts.get('alpha-1')).toMatchObject({ phone: PHONE, firstName: 'Jeanne' });
    expect(beta.contacts.size).toBe(1);
  });

  it('updates the linked contact by id on a second push, even after the phone changed', async () => {
    const { alpha, beta, sync } = setUp();
    await sync.push(jeanne);
    const moved = { key: 'crm-42', contact: { phone: '+33698765432', firstName: 'Jeanne' } };
    const report = await sync.push(moved);
    expect(report.results.map((result) => [result.status, result.id])).toEqual([
      ['updated', 'alpha-1'],
      ['updated', 'beta-1'],
    ]);
    expect(alpha.calls.at(-1)).toEqual({ operation: 'update', id: 'alpha-1' });
    expect(alpha.contacts.get('alpha-1')?.phone).toBe('+33698765432');
    expect(beta.contacts.size).toBe(1);
  });

  it('reports unchanged when an unlinked vendor already holds exactly this contact', async () => {
    const { alpha, sync } = setUp();
    await alpha.create({ phone: PHONE, firstName: 'Jeanne' });
    const report = await sync.push(jeanne);
    expect(report.results.map((result) => result.status)).toEqual(['unchanged', 'created']);
    expect(report.results[0]?.id).toBe('alpha-1');
  });

  it('creates again and relinks when the vendor no longer has the linked contact', async () => {
    const { alpha, links, sync } = setUp();
    await sync.push(jeanne);
    alpha.contacts.clear();
    // The remembered state alone says nothing changed: only a verified push meets the not_found.
    const trusted = await sync.push(jeanne);
    expect(trusted.results.map((result) => result.status)).toEqual(['unchanged', 'unchanged']);
    const report = await sync.push(jeanne, { verify: 'always' });
    expect(report.results.map((result) => [result.status, result.id])).toEqual([
      ['created', 'alpha-2'],
      ['updated', 'beta-1'],
    ]);
    expect(await links.get('crm-42')).toEqual({ alpha: 'alpha-2', beta: 'beta-1' });
  });

  it('normalizes the phone once, with defaultCountry, and gives each store its own copy', async () => {
    const alpha = createFakeContactStore('alpha');
    const beta = createFakeContactStore('beta');
    const sync = createContactSync({ stores: [alpha, beta], defaultCountry: 'FR' });
    const contact = { phone: '06 12 34 56 78', firstName: 'Jeanne', tags: ['vip'] };
    const original = structuredClone(contact);
    await sync.push({ key: 'crm-42', contact });
    expect(alpha.received).toEqual([{ phone: PHONE, firstName: 'Jeanne', tags: ['vip'] }]);
    expect(beta.received).toEqual(alpha.received);
    expect(alpha.received[0]).not.toBe(beta.received[0]);
    expect((alpha.received[0] as { tags: string[] }).tags).not.toBe(contact.tags);
    expect(contact).toEqual(original);
  });

  it('reports invalid input as failed at every store with one error, calling no vendor', async () => {
    const { alpha, beta, links, sync } = setUp();
    const report = await sync.push({
      key: 'crm-42',
      contact: { phone: '12', firstName: 'Jeanne', nickname: 'J' } as never,
    });
    expect(report.key).toBe('crm-42');
    expect(report.results.map((result) => result.status)).toEqual(['failed', 'failed']);
    const [first, second] = report.results;
    expect(first?.error).toBe(second?.error);
    expect(first?.error).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'contact.nickname', message: 'unknown key' }],
    });
    expect(alpha.calls).toEqual([]);
    expect(beta.calls).toEqual([]);
    expect(await links.get('crm-42')).toBeUndefined();
  });

  it('names contact.phone for a national number without defaultCountry, never the number', async () => {
    const { sync } = setUp();
    const report = await sync.push({ key: 'crm-42', contact: { phone: '0612345678' } });
    const error = report.results[0]?.error;
    expect(error?.issues).toEqual([
      { path: 'contact.phone', message: expect.stringContaining('defaultCountry') },
    ]);
    expect(JSON.stringify(error)).not.toContain('0612345678');
  });

  it.each([
    ['an empty key', ''],
    ['a key over 256 characters', 'k'.repeat(257)],
    ['a key that is not a string', 42],
  ])('reports %s as invalid_input naming key', async (_case, key) => {
    const { alpha, sync } = setUp();
    const report = await sync.push({ key: key as string, contact: { phone: PHONE } });
    for (const result of report.results) {
      expect(result).toMatchObject({ status: 'failed', error: { code: 'invalid_input' } });
      expect(result.error?.issues?.[0]?.path).toBe('key');
    }
    expect(alpha.calls).toEqual([]);
  });

  it('reports a record that is not an object as invalid_input instead of throwing', async () => {
    const { sync } = setUp();
    const report = await sync.push(null as never);
    expect(report.key).toBe('');
    expect(report.results[0]?.error?.code).toBe('invalid_input');
  });

  it('keeps going when one vendor fails: the others are written and linked', async () => {
    const { alpha, links, sync } = setUp();
    alpha.fail('upsert', unavailable('alpha'));
    const report = await sync.push(jeanne);
    expect(report.results).toEqual([
      {
        provider: 'alpha',
        status: 'failed',
        error: expect.objectContaining({ code: 'provider_error' }),
        warnings: [],
      },
      { provider: 'beta', status: 'created', id: 'beta-1', warnings: [] },
    ]);
    expect(await links.get('crm-42')).toEqual({ beta: 'beta-1' });
  });

  it('turns anything else a store throws into a typed failed result', async () => {
    const { alpha, sync } = setUp();
    alpha.fail('upsert', new TypeError('boom'));
    const report = await sync.push(jeanne);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      error: { code: 'provider_error', provider: 'alpha', retryable: false },
    });
    expect(report.results[0]?.error).toBeInstanceOf(ContactSyncError);
  });

  it('carries each vendor warnings on its result', async () => {
    const warning = {
      field: 'birthday',
      reason: 'unsupported' as const,
      message: 'no birthday field',
    };
    const alpha = createFakeContactStore('alpha', { warnings: [warning] });
    const beta = createFakeContactStore('beta');
    const sync = createContactSync({ stores: [alpha, beta] });
    const report = await sync.push({ key: 'k', contact: { phone: PHONE, birthday: '1990-01-02' } });
    expect(report.results.map((result) => result.warnings)).toEqual([[warning], []]);
  });

  it("with policy 'primary', skips the others when the first store fails", async () => {
    const { alpha, beta, sync } = setUp('primary');
    alpha.fail('upsert', unavailable('alpha'));
    const report = await sync.push(jeanne);
    expect(report.results).toEqual([
      expect.objectContaining({ provider: 'alpha', status: 'failed' }),
      { provider: 'beta', status: 'skipped', warnings: [] },
    ]);
    expect(beta.calls).toEqual([]);
  });

  it("with policy 'primary', writes the others only after the first store succeeded", async () => {
    const order: string[] = [];
    const alpha = createFakeContactStore('alpha', {
      before: (operation) => void order.push(`alpha.${operation}`),
    });
    const beta = createFakeContactStore('beta', {
      before: (operation) => void order.push(`beta.${operation}`),
    });
    const gamma = createFakeContactStore('gamma', {
      before: (operation) => void order.push(`gamma.${operation}`),
    });
    const release = alpha.hold();
    const sync = createContactSync({ stores: [alpha, beta, gamma], policy: 'primary' });
    const pushing = sync.push(jeanne);
    await new Promise((resolve) => setImmediate(resolve));
    expect(beta.calls).toEqual([]);
    release();
    const report = await pushing;
    expect(report.results.map((result) => result.status)).toEqual([
      'created',
      'created',
      'created',
    ]);
    expect(order[0]).toBe('alpha.upsert');
  });

  it("with policy 'all', tries every store even when the first one fails", async () => {
    const { alpha, beta, sync } = setUp('all');
    alpha.fail('upsert', unavailable('alpha'));
    await sync.push(jeanne);
    expect(beta.contacts.size).toBe(1);
  });

  it('reports a link that could not be kept as failed, with the id the vendor gave', async () => {
    const alpha = createFakeContactStore('alpha');
    const inner = memoryLinkStore();
    const full = async () => Promise.reject(new Error('disk full'));
    const links: LinkStore = { ...inner, set: full, setState: full };
    const sync = createContactSync({ stores: [alpha], links });
    const report = await sync.push(jeanne);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      id: 'alpha-1',
      error: { code: 'provider_error', operation: 'links.set' },
    });
    expect(report.results[0]?.error?.message).not.toContain('disk full');
    // The rerun finds the contact the vendor already holds: no duplicate.
    const again = await createContactSync({ stores: [alpha] }).push(jeanne);
    expect(again.results[0]).toMatchObject({ status: 'unchanged', id: 'alpha-1' });
  });

  it('reports every store failed when the links cannot be read, calling no vendor', async () => {
    const alpha = createFakeContactStore('alpha');
    const down = () => Promise.reject(new Error('down'));
    const links: LinkStore = { ...memoryLinkStore(), get: down, getState: down };
    const report = await createContactSync({ stores: [alpha], links }).push(jeanne);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      error: { operation: 'links.get' },
    });
    expect(alpha.calls).toEqual([]);
  });

  it('reports aborted at every store for a signal that already fired', async () => {
    const { alpha, sync } = setUp();
    const report = await sync.push(jeanne, { signal: AbortSignal.abort() });
    expect(report.results.map((result) => result.error?.code)).toEqual(['aborted', 'aborted']);
    expect(alpha.calls).toEqual([]);
  });
});

describe('ContactSync.remove', () => {
  it('deletes the contact at every vendor, then the links', async () => {
    const { alpha, beta, links, sync } = setUp();
    await sync.push(jeanne);
    const report = await sync.remove('crm-42');
    expect(report).toEqual({
      key: 'crm-42',
      results: [
        { provider: 'alpha', status: 'deleted', id: 'alpha-1' },
        { provider: 'beta', status: 'deleted', id: 'beta-1' },
      ],
    });
    expect(alpha.contacts.size + beta.contacts.size).toBe(0);
    expect(await links.get('crm-42')).toBeUndefined();
  });

  it('counts a contact the vendor no longer has as missing, and forgets its link', async () => {
    const { alpha, links, sync } = setUp();
    await sync.push(jeanne);
    alpha.contacts.clear();
    const report = await sync.remove('crm-42');
    expect(report.results.map((result) => result.status)).toEqual(['missing', 'deleted']);
    expect(await links.get('crm-42')).toBeUndefined();
  });

  it('keeps the link of a vendor that failed, so a second remove finishes the job', async () => {
    const { alpha, beta, links, sync } = setUp();
    await sync.push(jeanne);
    beta.fail('delete', unavailable('beta'), 1);
    const first = await sync.remove('crm-42');
    expect(first.results.map((result) => result.status)).toEqual(['deleted', 'failed']);
    expect(first.results[1]?.error?.code).toBe('provider_error');
    expect(await links.get('crm-42')).toEqual({ beta: 'beta-1' });
    const second = await sync.remove('crm-42');
    expect(second.results.map((result) => result.status)).toEqual(['missing', 'deleted']);
    expect(alpha.calls.filter((call) => call.operation === 'delete')).toHaveLength(1);
    expect(await links.get('crm-42')).toBeUndefined();
  });

  it('reports missing everywhere for a key with no links, calling no vendor', async () => {
    const { alpha, sync } = setUp();
    const report = await sync.remove('crm-unknown');
    expect(report.results.map((result) => result.status)).toEqual(['missing', 'missing']);
    expect(alpha.calls).toEqual([]);
  });

  it('leaves alone the links of providers that are not among the stores', async () => {
    const { links, sync } = setUp();
    await sync.push(jeanne);
    await links.set('crm-42', 'retired-vendor', 'r-1');
    await sync.remove('crm-42');
    expect(await links.get('crm-42')).toEqual({ 'retired-vendor': 'r-1' });
  });

  it('reports a bad key as invalid_input naming key', async () => {
    const { sync } = setUp();
    const report = await sync.remove('');
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_input', issues: [{ path: 'key' }] },
    });
  });
});
