import { isContactSyncError } from 'contact-sync';
import { type Sandbox, startSandbox } from 'contact-sync/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertContact } from '../src/upsert.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

describe('swap vendors by config (examples/swap-vendors)', () => {
  it('the same function creates, then updates, the contact at each vendor', async () => {
    const configs = sandbox.storeConfigs();
    expect(configs.map((config) => config.provider)).toEqual([
      'smspartner',
      'callbell',
      'notificore',
    ]);
    for (const config of configs) {
      // What a deployment would put in CONTACT_STORE.
      const env = JSON.stringify({ ...config, defaultCountry: 'FR' });
      const first = await upsertContact(env, { phone: '06 12 34 56 78', firstName: 'Jeanne' });
      const second = await upsertContact(env, { phone: '+33612345678', firstName: 'Jeanne-Marie' });
      expect([config.provider, first.action, second.action]).toEqual([
        config.provider,
        'created',
        'updated',
      ]);
      expect(second.contact.id).toBe(first.contact.id);
      expect(second.contact).toMatchObject({ phone: '+33612345678', firstName: 'Jeanne-Marie' });
      expect(sandbox.emulators[config.provider as 'callbell'].contacts()).toHaveLength(1);
    }
  });

  it('a config that is not JSON is invalid_config, without echoing its text', async () => {
    const error = await upsertContact('{"provider":"callbell","apiToken":"tok_secret_1"', {
      phone: '+33612345678',
    }).catch((caught: unknown) => caught);
    expect(isContactSyncError(error) && error.code).toBe('invalid_config');
    expect(String((error as Error).message)).not.toContain('tok_secret_1');
  });

  it('a config naming no known vendor is invalid_config before any request', async () => {
    const before = sandbox.emulators.callbell.contacts().length;
    const error = await upsertContact(JSON.stringify({ provider: 'nope' }), {
      phone: '+33612345678',
    }).catch((caught: unknown) => caught);
    expect(isContactSyncError(error) && error.code).toBe('invalid_config');
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(before);
  });
});
