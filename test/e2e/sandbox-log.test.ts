import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { createContactStore, createContactSync, memoryLinkStore } from '../../index.js';
import type { ContactStoreConfig } from '../../providers/registry.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/index.js';
import { waitFor } from '../support/wait-for.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

/** Runs `contact-sync sandbox …` in process until `stop` is called. */
async function runSandbox(args: string[]) {
  const out = sink();
  const err = sink();
  const controller = new AbortController();
  const status = runCli({
    argv: ['sandbox', ...args],
    env: {},
    out: out.stream,
    err: err.stream,
    signal: controller.signal,
  });
  await waitFor(() => /\n}\n$/.test(out.text()), 'the sandbox config');
  const config = JSON.parse(out.text()) as { stores: ContactStoreConfig[] };
  return {
    config,
    err: err.text,
    async stop() {
      controller.abort();
      return status;
    },
  };
}

describe('contact-sync sandbox --log and --ui', () => {
  it('prints one line per request (no secrets, no phones) and the counts per vendor at exit', async () => {
    const sandbox = await runSandbox(['--log']);
    const sync = createContactSync({
      stores: sandbox.config.stores.map((store) => createContactStore(store)),
      links: memoryLinkStore(),
      defaultCountry: 'FR',
    });
    const report = await sync.push({
      key: 'crm-1',
      contact: { phone: '06 12 34 56 78', firstName: 'Zoé' },
    });
    expect(report.results.every((result) => result.status === 'created')).toBe(true);
    // A lookup by phone puts the number in the path.
    const callbell = sandbox.config.stores.find((store) => store.provider === 'callbell');
    const byPhone = await fetch(`${callbell?.baseUrl}/contacts/phone/33612345678`, {
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.callbell.apiToken}` },
    });
    expect(byPhone.status).toBe(200);
    await waitFor(() => sandbox.err().includes('/contacts/phone/'), 'the lookup logged');
    expect(await sandbox.stop()).toBe(0);

    const lines = sandbox
      .err()
      .split('\n')
      .filter((line) => /^\d{2}:\d{2}:\d{2}\.\d{3} /.test(line));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      expect(line).toMatch(
        /^\d{2}:\d{2}:\d{2}\.\d{3} (smspartner|callbell|notificore) (GET|POST|PUT|PATCH|DELETE) \/\S* (\d{3}|dropped) \d+ ms/,
      );
    }
    expect(lines).toContainEqual(
      expect.stringMatching(/ smspartner POST \/contact\/add 200 \d+ ms$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/ callbell GET \/contacts\/phone\/336••••••78 200 \d+ ms$/),
    );
    const text = sandbox.err();
    expect(text).not.toContain('612345678');
    for (const secret of [
      SANDBOX_CREDENTIALS.smspartner.apiKey,
      SANDBOX_CREDENTIALS.callbell.apiToken,
      SANDBOX_CREDENTIALS.notificore.apiKey,
    ]) {
      expect(text).not.toContain(secret);
    }
    const counts = (vendor: string) => lines.filter((line) => line.includes(` ${vendor} `)).length;
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      `Requests: smspartner ${counts('smspartner')} (2xx ${counts('smspartner')}), ` +
        `callbell ${counts('callbell')} (2xx ${counts('callbell') - 1}, 4xx 1), ` +
        `notificore ${counts('notificore')} (2xx ${counts('notificore')}).`,
    );
  });

  it('names a fault met, and says "0" for a vendor that got nothing', async () => {
    const sandbox = await runSandbox(['--log', '--fault-rate', '1']);
    const smspartner = sandbox.config.stores.find((store) => store.provider === 'smspartner');
    await fetch(`${smspartner?.baseUrl}/contact/list`).catch(() => undefined);
    await waitFor(() => / smspartner GET \/contact\/list /.test(sandbox.err()), 'the line');
    expect(await sandbox.stop()).toBe(0);
    expect(sandbox.err()).toMatch(
      / smspartner GET \/contact\/list (\d{3}|dropped) \d+ ms \(fault /,
    );
    expect(sandbox.err()).toMatch(
      /Requests: smspartner 1 \(\w+ 1\), callbell 0, notificore 0\.\n$/,
    );
  });

  it('--ui prints the page address, and the page answers there', async () => {
    const sandbox = await runSandbox(['--ui']);
    const url = /The sandbox's page: (http:\/\/127\.0\.0\.1:\d+\/_sandbox\/)/.exec(
      sandbox.err(),
    )?.[1];
    expect(url).toBeDefined();
    const page = await fetch(url as string);
    expect(page.status).toBe(200);
    await page.body?.cancel();
    expect(await sandbox.stop()).toBe(0);
    // Without --log, nothing per request.
    expect(sandbox.err()).not.toContain('Requests:');
  });
});
