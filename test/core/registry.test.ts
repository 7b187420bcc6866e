import { describe, expect, it } from 'vitest';
import { createContactStore } from '../../index.js';

describe('createContactStore', () => {
  it('builds the store the config names, with that vendor capabilities', () => {
    const smspartner = createContactStore({ provider: 'smspartner', apiKey: 'k', groupId: 'g' });
    const callbell = createContactStore({ provider: 'callbell', apiToken: 't' });
    const notificore = createContactStore({ provider: 'notificore', apiKey: 'k', listIds: [1] });
    expect([smspartner.provider, callbell.provider, notificore.provider]).toEqual([
      'smspartner',
      'callbell',
      'notificore',
    ]);
    expect(smspartner.capabilities.findByPhone).toBe('emulated');
    expect(callbell.capabilities.changePhone).toBe('unsupported');
    expect(notificore.capabilities.findByPhone).toBe('native');
  });

  it.each([
    [undefined, ''],
    ['callbell', ''],
    [[], ''],
    [{}, 'provider'],
    [{ provider: 'twilio' }, 'provider'],
    [{ provider: '__proto__' }, 'provider'],
    [{ provider: 'smspartner', apiKey: 'k' }, 'groupId'],
    [{ provider: 'smspartner', groupId: 'g' }, 'apiKey'],
    [{ provider: 'callbell', apiToken: '' }, 'apiToken'],
    [{ provider: 'callbell', apiToken: 't', channelUuid: 5 }, 'channelUuid'],
    [{ provider: 'notificore', apiKey: 'k', listIds: [0] }, 'listIds.0'],
    [{ provider: 'notificore', apiKey: 'k', baseUrl: 'http://one-api.notificore.ru' }, 'baseUrl'],
    [{ provider: 'callbell', apiToken: 't', timeOut: 5 }, 'timeOut'],
  ])('throws invalid_config naming the option for %j', (config, path) => {
    expect(() => createContactStore(config as never)).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path })],
      }),
    );
  });

  it('never puts the secret of a bad config into the error', () => {
    let message = '';
    try {
      createContactStore({
        provider: 'callbell',
        apiToken: 'tok_secret_123',
        timeout: -5,
      } as never);
    } catch (error) {
      message = `${String(error)} ${JSON.stringify(error)}`;
    }
    expect(message).toContain('timeout');
    expect(message).not.toContain('tok_secret_123');
  });
});
