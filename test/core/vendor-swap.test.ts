import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContactStoreConfig, createContactStore } from '../../index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';

/** The same code against each vendor: only the configuration object changes. */
async function lifecycle(config: ContactStoreConfig) {
  const store = createContactStore(config);
  const phone = '+33612345678';
  const created = await store.create({ phone, firstName: 'Jeanne', lastName: 'Martin' });
  const read = await store.get(created.id);
  const updated = await store.update(created.id, { lastName: 'Martin-Durand' });
  const found = await store.findByPhone('06 12 34 56 78');
  const listed: string[] = [];
  for await (const contact of store.list()) listed.push(contact.id);
  const upserted = await store.upsert({ phone, firstName: 'Jeanne', lastName: 'Martin-Durand' });
  await store.delete(created.id);
  const gone = await store.get(created.id);
  return { created, read, updated, found, listed, upserted, gone };
}

describe('swapping vendors by configuration, over HTTP against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it.each(['smspartner', 'callbell', 'notificore'])(
    'creates, reads, updates, finds, lists, upserts and deletes at %s',
    async (provider) => {
      const config = sandbox.storeConfigs().find((each) => each.provider === provider);
      const result = await lifecycle({ ...(config as ContactStoreConfig), defaultCountry: 'FR' });
      expect(result.created.provider).toBe(provider);
      expect(result.read?.phone).toBe('+33612345678');
      expect(result.updated.lastName ?? result.updated.name).toContain('Martin-Durand');
      expect(result.found?.id).toBe(result.created.id);
      expect(result.listed).toContain(result.created.id);
      expect(result.upserted).toMatchObject({ action: 'unchanged' });
      expect(result.gone).toBeUndefined();
      const requests = sandbox.requests.filter((request) => request.provider === provider);
      // Eight operations; SMS Partner answers the upsert from the index its findByPhone built.
      expect(requests.length).toBeGreaterThanOrEqual(provider === 'smspartner' ? 7 : 8);
    },
  );
});
