import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

/** The status of a request sent without credentials (routing is answered before auth). */
async function status(url: string, method = 'GET'): Promise<number> {
  const response = await fetch(url, { method });
  await response.arrayBuffer();
  return response.status;
}

describe('sandbox: unknown routes', () => {
  it('answers 404 below no emulator', async () => {
    expect(await status(`${sandbox.url}/nobody/v1/contacts`)).toBe(404);
    expect(await status(`${sandbox.url}/callbell/v2/contacts`)).toBe(404);
  });

  it.each([
    ['smspartner', '/no/such/route'],
    ['callbell', '/no/such/route'],
    ['callbell', '/contacts/1/2/3'],
    ['notificore', '/api/no/such/route'],
    ['notificore', '/api/contacts/1/extra'],
  ])('%s answers 404 to %s, never a 200 or a validation error', async (name, path) => {
    expect(await status(`${sandbox.baseUrl(name)}${path}`)).toBe(404);
    expect(await status(`${sandbox.baseUrl(name)}${path}`, 'POST')).toBe(404);
  });
});
