import { describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createContactStore } from '../../providers/registry.js';

const configError = (options: unknown) => {
  try {
    createCallbellContactStore(options as never);
  } catch (error) {
    return error as { code?: string; issues?: { path: string }[]; message: string };
  }
  throw new Error('expected invalid_config');
};

describe('callbell options', () => {
  it('declares what Callbell can do before any call', () => {
    const store = createContactStore({ provider: 'callbell', apiToken: 't' });
    expect(store.provider).toBe('callbell');
    expect(store.capabilities).toEqual({
      create: 'native',
      get: 'native',
      update: 'native',
      delete: 'native',
      list: 'native',
      findByPhone: 'native',
      upsert: 'native',
      changePhone: 'unsupported',
      tags: 'native',
      assignedUser: 'native',
      optOut: 'read',
      identity: ['phone'],
    });
  });

  it.each([
    [{}, 'apiToken'],
    [{ apiToken: '' }, 'apiToken'],
    [{ apiToken: 't', channelUuid: '' }, 'channelUuid'],
    [{ apiToken: 't', channel: 'x' }, 'channel'],
    [{ apiToken: 't', fieldMap: { company: 25970 } }, 'fieldMap.company'],
    [{ apiToken: 't', fieldMap: { name: 'Full name' } }, 'fieldMap.name'],
    [{ apiToken: 't', fieldMap: { company: 'Company', employer: 'Company' } }, 'fieldMap.employer'],
    [{ apiToken: 't', baseUrl: 'http://api.callbell.eu/v1' }, 'baseUrl'],
  ])('rejects %j with invalid_config naming %s', (options, path) => {
    const error = configError(options);
    expect(error.code).toBe('invalid_config');
    expect(error.issues?.[0]?.path).toBe(path);
  });

  it('keeps the token out of a configuration error', () => {
    const error = configError({ apiToken: 'secret-token-123', fieldMap: { company: 1 } });
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('secret-token-123');
  });

  it('rejects an unmapped first name with onUnmapped error, before any request', async () => {
    const store = createCallbellContactStore({
      apiToken: 't',
      onUnmapped: 'error',
      fetch: () => Promise.reject(new Error('no request expected')),
    });
    const error = await store
      .create({ phone: '+33612345678', firstName: 'Jeanne' })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'firstName' }] });
  });

  it('points at a sandbox through baseUrl', () => {
    const store = createCallbellContactStore({
      apiToken: 't',
      baseUrl: 'http://127.0.0.1:4010/v1/',
    });
    expect(store.preview('delete', {}, 'abc').url).toBe('http://127.0.0.1:4010/v1/contacts/abc');
  });
});
