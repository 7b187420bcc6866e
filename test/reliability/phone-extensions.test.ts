import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { normalizePhone, phoneExtension } from '../../src/phone.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';

/**
 * A number written with an extension keeps its number at every vendor, and since none of them
 * has a field for an extension, every vendor's result says so: nothing is dropped silently.
 */
const WRITTEN = [
  '+33 6 12 34 56 78 ext. 12',
  '+33612345678 x12',
  '+33612345678;ext=12',
  '06 12 34 56 78 #12',
];

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(() => sandbox.reset());

const stores = () => sandbox.storeConfigs().map((config) => createContactStore(config));

describe('phone extensions', () => {
  it('are read from every common way of writing them', () => {
    for (const phone of WRITTEN) {
      expect(phoneExtension(phone, { defaultCountry: 'FR' }), phone).toBe('12');
      expect(normalizePhone(phone, { defaultCountry: 'FR' }), phone).toBe('+33612345678');
    }
    for (const phone of ['+33612345678', '+33 6 12 34 56 78', 'not a phone', '', undefined, 12]) {
      expect(phoneExtension(phone, { defaultCountry: 'FR' }), String(phone)).toBeUndefined();
    }
  });

  it('ContactSync keeps the number at every vendor and warns on every result', async () => {
    const sync = createContactSync({
      stores: stores(),
      links: memoryLinkStore(),
      defaultCountry: 'FR',
    });
    for (const [index, phone] of WRITTEN.entries()) {
      // One key: each written form is the same person (another key with this phone would be a
      // conflict, by design).
      const report = await sync.push({ key: 'k', contact: { phone, firstName: `Ann ${index}` } });
      expect(report.results).toHaveLength(3);
      for (const result of report.results) {
        expect(result.status, `${phone} ${result.provider} ${result.error?.message}`).toMatch(
          /^(created|updated|unchanged)$/,
        );
        expect(result.warnings, `${phone} ${result.provider}`).toContainEqual({
          field: 'phone',
          reason: 'ignored',
          message: expect.not.stringMatching(/\d/),
        });
      }
    }
    for (const emulator of Object.values(sandbox.emulators)) {
      expect(emulator.contacts().map((contact) => contact.phone)).toContain('+33612345678');
    }
    const plain = await sync.push({ key: 'plain', contact: { phone: '+33612345679' } });
    for (const result of plain.results) expect(result.warnings).toEqual([]);
  });

  it('a store used directly warns on create, update and upsert', async () => {
    for (const store of stores()) {
      const created = await store.create({ phone: '+33612345670 x7' });
      expect(
        created.warnings.map((warning) => warning.field),
        store.provider,
      ).toContain('phone');
      const updated = await store.update(created.id, { phone: '+33612345670;ext=8' });
      expect(
        updated.warnings.map((warning) => warning.field),
        store.provider,
      ).toContain('phone');
      const upserted = await store.upsert({ phone: '+33612345672 ext 9' });
      expect(
        upserted.contact.warnings.map((warning) => warning.field),
        store.provider,
      ).toContain('phone');
      const untouched = await store.update(created.id, { firstName: 'Ann' });
      expect(
        untouched.warnings.map((warning) => warning.field),
        store.provider,
      ).not.toContain('phone');
    }
  });
});
