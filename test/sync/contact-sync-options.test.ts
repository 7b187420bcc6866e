import { describe, expect, it } from 'vitest';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';
import { createFakeContactStore } from './support/fake-contact-store.js';

function configError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error as { code: string; issues?: { path: string; message: string }[] };
  }
  throw new Error('expected an invalid_config error');
}

describe('createContactSync options', () => {
  const alpha = createFakeContactStore('alpha');

  it.each([
    ['no stores', { stores: [] }, 'stores'],
    ['stores that are not an array', { stores: alpha }, 'stores'],
    ['a store that is not a ContactStore', { stores: [alpha, { provider: 'x' }] }, 'stores.1'],
    ['a store without a provider name', { stores: [{ ...alpha, provider: '' }] }, 'stores.0'],
    [
      'two stores with the same provider name',
      { stores: [alpha, createFakeContactStore('alpha')] },
      'stores.1.provider',
    ],
    ['an unknown policy', { stores: [alpha], policy: 'first' }, 'policy'],
    ['an unknown country', { stores: [alpha], defaultCountry: 'XX' }, 'defaultCountry'],
    ['an unknown sharedPhones', { stores: [alpha], sharedPhones: 'merge' }, 'sharedPhones'],
    ['links that are not a LinkStore', { stores: [alpha], links: { get() {} } }, 'links'],
    [
      'links without findKey',
      { stores: [alpha], links: { get() {}, set() {}, delete() {} } },
      'links',
    ],
    ['an unknown option', { stores: [alpha], concurrency: 4 }, 'concurrency'],
  ])('rejects %s with invalid_config naming it', (_case, options, path) => {
    const error = configError(() => createContactSync(options as never));
    expect(error.code).toBe('invalid_config');
    expect(error.issues?.map((issue) => issue.path)).toContain(path);
  });

  it('rejects options that are not an object', () => {
    expect(configError(() => createContactSync(undefined as never)).code).toBe('invalid_config');
  });

  it('accepts two accounts of one vendor once each store is given its own provider name', async () => {
    const first = createFakeContactStore('smspartner');
    const second = { ...createFakeContactStore('smspartner'), provider: 'smspartner-eu' };
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [first, second], links });
    await sync.push({ key: 'k', contact: { phone: '+33612345678' } });
    expect(await links.get('k')).toEqual({
      smspartner: 'smspartner-1',
      'smspartner-eu': 'smspartner-1',
    });
  });

  it.each([0, -1, 1.5, Number.NaN, '4'])(
    'rejects pushMany concurrency %s naming concurrency',
    (concurrency) => {
      const sync = createContactSync({ stores: [alpha] });
      const error = configError(() => sync.pushMany([], { concurrency: concurrency as number }));
      expect(error).toMatchObject({ code: 'invalid_config', issues: [{ path: 'concurrency' }] });
    },
  );

  it('rejects pushMany input that is not iterable with invalid_input naming records', () => {
    const sync = createContactSync({ stores: [alpha] });
    expect(configError(() => sync.pushMany(42 as never))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'records' }],
    });
  });
});
