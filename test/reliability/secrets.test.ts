import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { type ContactStoreConfig, createContactStore } from '../../providers/registry.js';
import { createBrevoEmulator } from '../../sandbox/brevo/emulator.js';
import { createCallbellEmulator } from '../../sandbox/callbell/emulator.js';
import { createNotificoreEmulator } from '../../sandbox/notificore/emulator.js';
import { type RunningServer, serveEmulators } from '../../sandbox/server.js';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';
import type { ContactStore } from '../../src/contact-store.js';
import { isContactSyncError } from '../../src/errors.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';

/**
 * The public surface run with canary credentials and a canary phone number, against vendors that
 * fail, refuse and echo: the key, the token, the JWT never appear in any error (message, JSON,
 * stack, cause), hook event, report line, rejects file or dry-run output. The phone number appears
 * in exactly two places, where it belongs: a rejects row (the input row as written, so it can be
 * pushed again) and a dry-run request body (what would be sent). Nowhere else.
 */

// With the characters URL and base64 encoders rewrite, so that each encoded form is looked for too.
const SMSPARTNER_KEY = 'CANARYKEY+smsp/7f3a9c21==';
const CALLBELL_TOKEN = 'CANARYTOKEN+cb/b41e77d0 x';
const NOTIFICORE_KEY = 'test_CANARYKEY-nc+5e2d90/';
const BREVO_KEY = 'xkeysib-CANARYKEY+bv/0c9e11==';
const PHONE = '+33698765432';
/** `${NAME}`: a CLI config placeholder filled from the environment. */
const placeholder = (name: string) => `\${${name}}`;
/** Every written form contains these digits: E.164, digits only, national (0698765432). */
const PHONE_DIGITS = '698765432';

let server: RunningServer;
let notificore: ReturnType<typeof createNotificoreEmulator>;
let directory: string;
const texts: { where: string; text: string }[] = [];
beforeEach(() => {
  texts.length = 0;
});

function collectError(where: string, error: unknown, depth = 0): void {
  if (error === undefined || depth > 5) return;
  if (error instanceof Error) {
    texts.push({ where: `${where} message`, text: error.message });
    texts.push({ where: `${where} stack`, text: error.stack ?? '' });
    texts.push({ where: `${where} JSON`, text: JSON.stringify(error) ?? '' });
    texts.push({ where: `${where} String`, text: String(error) });
    if (isContactSyncError(error)) {
      texts.push({ where: `${where} issues`, text: JSON.stringify(error.issues ?? []) });
    }
    collectError(`${where} cause`, error.cause, depth + 1);
  } else {
    texts.push({ where, text: JSON.stringify(error) ?? String(error) });
  }
}

function secrets(): string[] {
  return [SMSPARTNER_KEY, CALLBELL_TOKEN, NOTIFICORE_KEY, BREVO_KEY, ...notificore.issuedTokens()];
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-secrets-'));
  notificore = createNotificoreEmulator({ apiKey: NOTIFICORE_KEY, tokenRequests: 7 });
  server = await serveEmulators({
    emulators: {
      smspartner: createSmsPartnerEmulator({ apiKey: SMSPARTNER_KEY, groups: ['g1'] }),
      callbell: createCallbellEmulator({ apiToken: CALLBELL_TOKEN }),
      notificore,
      brevo: createBrevoEmulator({ apiKey: BREVO_KEY }),
    },
    faults: {
      rate: 0.35,
      kinds: ['500', '502', '503', '429', 'slow', 'drop-before', 'drop-after'],
      retryAfter: 0,
      slowMs: 300,
    },
    seed: 11,
  });
});

afterAll(async () => {
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

function configs(credentials: 'right' | 'wrong' = 'right'): ContactStoreConfig[] {
  const wrong = (secret: string) => (credentials === 'right' ? secret : `${secret}-wrong`);
  const common = { timeout: 150, retry: { retries: 1, minTimeout: 0, maxTimeout: 0 } };
  return [
    {
      provider: 'smspartner',
      apiKey: wrong(SMSPARTNER_KEY),
      groupId: 'g1',
      baseUrl: server.baseUrl('smspartner'),
      ...common,
    },
    {
      provider: 'callbell',
      apiToken: wrong(CALLBELL_TOKEN),
      baseUrl: server.baseUrl('callbell'),
      ...common,
    },
    {
      provider: 'notificore',
      apiKey: wrong(NOTIFICORE_KEY),
      baseUrl: server.baseUrl('notificore'),
      ...common,
    },
    {
      provider: 'brevo',
      apiKey: wrong(BREVO_KEY),
      baseUrl: server.baseUrl('brevo'),
      ...common,
    },
  ];
}

/** A secret as written, URL-encoded (both space conventions) and base64/base64url-encoded. */
function encodedForms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ];
}

/** Where neither a secret nor the phone may ever appear. */
function expectClean(): void {
  expect(texts.length).toBeGreaterThan(0);
  for (const { where, text } of texts) {
    for (const secret of secrets()) {
      for (const form of encodedForms(secret)) expect(text, where).not.toContain(form);
    }
    expect(text, where).not.toContain(PHONE_DIGITS);
  }
}

describe('canary credentials and phone through the library', () => {
  it('errors and hook events of stores and ContactSync, with faults and wrong credentials', async () => {
    for (const credentials of ['right', 'wrong'] as const) {
      const hooks = {
        onRequest: (event: unknown) =>
          texts.push({ where: 'onRequest', text: JSON.stringify(event) }),
        onResponse: (event: unknown) =>
          texts.push({ where: 'onResponse', text: JSON.stringify(event) }),
        onRetry: (event: unknown) => texts.push({ where: 'onRetry', text: JSON.stringify(event) }),
      };
      const stores: ContactStore[] = configs(credentials).map((config) =>
        createContactStore({ ...config, hooks } as ContactStoreConfig),
      );
      const sync = createContactSync({ stores, links: memoryLinkStore() });
      const records = [
        { key: 'canary', contact: { phone: PHONE, firstName: 'Ada', customFields: { note: 'x' } } },
        ...Array.from({ length: 20 }, (_, index) => ({
          key: `other-${index}`,
          contact: { phone: `+3361111${String(1000 + index)}`, lastName: 'Other' },
        })),
        { key: 'bad-phone', contact: { phone: '+33 6 98 76 54 3' } },
        { key: 'bad-field', contact: { phone: PHONE, birthday: '1990-02-30', unknown: PHONE } },
      ];
      for (let round = 0; round < 2; round++) {
        for await (const report of sync.pushMany(records as never, { concurrency: 4 })) {
          for (const result of report.results)
            collectError(`push ${result.provider}`, result.error);
        }
      }
      for (const store of stores) {
        for (const call of [
          () => store.findByPhone(PHONE),
          () => store.create({ phone: PHONE }),
          () => store.upsert({ phone: PHONE, name: 'Ada' }),
          () => store.update('1', { phone: PHONE }),
          () => store.get('1'),
          () => store.delete('1'),
        ]) {
          await call().catch((error: unknown) => collectError(`${store.provider} call`, error));
        }
      }
      const removed = await sync.remove('canary');
      for (const result of removed.results) collectError('remove', result.error);
    }
    expect(texts.some((entry) => entry.where.includes('cause'))).toBe(true);
    expectClean();
  }, 60_000);

  it('vendors that echo the key, the token and the phone in their error bodies', async () => {
    // A store can only hide the secrets it holds: each vendor echoes its own.
    const ownSecret = {
      smspartner: SMSPARTNER_KEY,
      callbell: CALLBELL_TOKEN,
      notificore: NOTIFICORE_KEY,
      brevo: BREVO_KEY,
    };
    for (const status of [200, 400, 401, 404, 409, 422, 429, 500]) {
      for (const config of configs()) {
        const echo = `key ${ownSecret[config.provider]} phone ${PHONE} 0${PHONE_DIGITS} 33${PHONE_DIGITS}`;
        const echoing: typeof fetch = async (input) =>
          new URL((input as Request).url).pathname.endsWith('/login')
            ? Response.json({ bearer: `jwt-${NOTIFICORE_KEY}` })
            : Response.json(
                {
                  success: false,
                  code: 9,
                  message: echo,
                  error: [{ elementId: `phone ${PHONE}`, message: echo }],
                  errors: { phone: [echo] },
                },
                { status },
              );
        const store = createContactStore({
          ...config,
          retry: false,
          fetch: echoing,
        } as ContactStoreConfig);
        for (const call of [
          () => store.create({ phone: PHONE }),
          () => store.update('1', { phone: PHONE, firstName: 'A' }),
          () => store.findByPhone(PHONE),
          () => store.get('1'),
        ]) {
          await call().catch((error: unknown) =>
            collectError(`echo ${status} ${config.provider}`, error),
          );
        }
      }
    }
    expectClean();
  });
});

describe('canary credentials and phone through the command line', () => {
  const sink = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    return { stream, text: () => text };
  };
  const env = {
    SMSPARTNER_KEY,
    CALLBELL_TOKEN,
    NOTIFICORE_KEY,
    BREVO_KEY,
  };

  async function writeInputs() {
    const config = join(directory, 'contact-sync.config.json');
    const stores = configs().map((store) => ({
      ...store,
      ...(store.provider === 'smspartner' ? { apiKey: placeholder('SMSPARTNER_KEY') } : {}),
      ...(store.provider === 'callbell' ? { apiToken: placeholder('CALLBELL_TOKEN') } : {}),
      ...(store.provider === 'notificore' ? { apiKey: placeholder('NOTIFICORE_KEY') } : {}),
      ...(store.provider === 'brevo' ? { apiKey: placeholder('BREVO_KEY') } : {}),
    }));
    await writeFile(config, JSON.stringify({ stores }));
    const input = join(directory, 'contacts.csv');
    const rows = ['key,phone,firstName'];
    rows.push(`canary,${PHONE},Ada`, 'canary-bad,+33 6 98 76 54 3,Ada');
    for (let index = 0; index < 30; index++) rows.push(`other-${index},+3362222${1000 + index},B`);
    await writeFile(input, `${rows.join('\n')}\n`);
    return { config, input };
  }

  it('push --report --rejects: the phone only in rejects rows; dry-run: only in request bodies', async () => {
    const { config, input } = await writeInputs();
    const report = join(directory, 'report.ndjson');
    const rejects = join(directory, 'rejects.csv');
    for (let round = 0; round < 2; round++) {
      const out = sink();
      const err = sink();
      const status = await runCli({
        argv: ['push', input, '--config', config, '--report', report, '--rejects', rejects],
        env,
        out: out.stream,
        err: err.stream,
      });
      expect([0, 1]).toContain(status);
      texts.push(
        { where: 'push stdout', text: out.text() },
        { where: 'push stderr', text: err.text() },
      );
      texts.push({ where: 'report file', text: await readFile(report, 'utf8') });
      // The rejects file holds the failed rows as written; without them, nothing else of the phone.
      const rejected = await readFile(rejects, 'utf8');
      expect(rejected).toContain('canary-bad');
      texts.push({
        where: 'rejects file, rows of the phone removed',
        text: rejected
          .split('\n')
          .filter((row) => !row.startsWith('canary'))
          .join('\n'),
      });
      for (const secret of secrets()) expect(rejected).not.toContain(secret);
    }

    const out = sink();
    const err = sink();
    await runCli({
      argv: ['push', input, '--config', config, '--dry-run'],
      env,
      out: out.stream,
      err: err.stream,
    });
    let bodies = 0;
    for (const line of out.text().split('\n').filter(Boolean)) {
      const { request, ...rest } = JSON.parse(line) as { request?: { body?: unknown } };
      if (request?.body !== undefined && JSON.stringify(request.body).includes(PHONE_DIGITS)) {
        bodies += 1;
      }
      for (const secret of secrets()) expect(line).not.toContain(secret);
      const { body: _body, ...requestWithoutBody } = request ?? {};
      texts.push({
        where: 'dry-run line without its body',
        text: JSON.stringify({ ...rest, request: requestWithoutBody }),
      });
    }
    // The phone is in each vendor's create body: that is what would be sent.
    expect(bodies).toBe(configs().length);
    texts.push({ where: 'dry-run stderr', text: err.text() });
    expectClean();
  }, 60_000);

  it('config errors name the field and the variable, never a value', async () => {
    const { config, input } = await writeInputs();
    for (const partial of [
      { CALLBELL_TOKEN, NOTIFICORE_KEY },
      { ...env, SMSPARTNER_KEY: '' },
    ]) {
      const err = sink();
      const status = await runCli({
        argv: ['push', input, '--config', config],
        env: partial,
        out: sink().stream,
        err: err.stream,
      });
      expect(status).toBe(2);
      expect(err.text()).toContain('SMSPARTNER_KEY');
      texts.push({ where: 'config error', text: err.text() });
    }
    expectClean();
  });
});
