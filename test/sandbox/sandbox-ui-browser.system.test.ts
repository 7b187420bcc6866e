import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore, createContactSync, memoryLinkStore } from '../../index.js';
import { SANDBOX_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/index.js';
import { GENEROUS_MS, waitFor } from '../support/wait-for.js';
import { signatureCheckingReceiver } from '../support/webhook-receiver.js';

/**
 * The sandbox's page in a real browser: Debian's headless Chromium (`apt-get install chromium`,
 * as .ci/run does; CHROMIUM_PATH to use another), driven with puppeteer-core, which downloads
 * nothing. With UPDATE_SCREENSHOTS=1 the screenshots go to docs/images/ (docs/sandbox.md shows
 * them); otherwise to a temporary folder, so a run leaves the tree clean.
 */
// The callbacks given to waitForFunction and $$eval run in the page; the project compiles without
// the DOM library, so they see the page through these few names.
interface PageElement {
  textContent: string | null;
  hidden: boolean;
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>;
}
declare const document: {
  body: PageElement;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>;
};
declare const window: { scrollTo(x: number, y: number): void };
type HTMLElement = PageElement;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = 'whsec_browsertestsecret';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

let sandbox: Sandbox;
let receiver: Server;
let browser: Browser;
let page: Page;
let shots: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  shots = SCREENSHOTS
    ? fileURLToPath(new URL('../../docs/images/', import.meta.url))
    : await mkdtemp(join(tmpdir(), 'contact-sync-shots-'));
  await mkdir(shots, { recursive: true });
  // An application's webhook endpoint: it checks each delivery's signature.
  const hook = await signatureCheckingReceiver(SECRET);
  receiver = hook.server;
  sandbox = await startSandbox({
    ui: true,
    webhook: { url: hook.url, secret: SECRET, tamperRate: 0.5 },
  });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
    protocolTimeout: GENEROUS_MS * 2,
  });
  page = await browser.newPage();
  page.setDefaultTimeout(GENEROUS_MS);
  await page.setViewport({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  if (shots && !SCREENSHOTS) await rm(shots, { recursive: true, force: true });
});

const PEOPLE = [
  { key: 'crm-1001', phone: '06 12 34 56 78', firstName: 'Zoé', lastName: 'Martin', tags: ['vip'] },
  { key: 'crm-1002', phone: '06 98 76 54 32', firstName: 'Léa', lastName: 'Dubois' },
  { key: 'crm-1003', phone: '07 11 22 33 44', firstName: 'Hugo', lastName: 'Bernard' },
  { key: 'crm-1004', phone: '06 55 44 33 22', firstName: 'Chloé', lastName: 'Petit' },
  { key: 'crm-1005', phone: '07 66 77 88 99', firstName: 'Louis', lastName: 'Moreau' },
];

async function push(people: typeof PEOPLE) {
  const sync = createContactSync({
    stores: sandbox
      .storeConfigs()
      .map((config) => createContactStore({ ...config, retry: { retries: 1 } })),
    links: memoryLinkStore(),
    defaultCountry: 'FR',
  });
  const reports = [];
  for (const { key, ...contact } of people) reports.push(await sync.push({ key, contact }));
  return reports;
}

/** The text of every cell of the rows matching `selector`. */
function rows(selector: string): Promise<string[][]> {
  return page.$$eval(selector, (found) =>
    found.map((row) =>
      [...(row as unknown as PageElement).querySelectorAll('td')].map(
        (cell) => cell.textContent ?? '',
      ),
    ),
  );
}

describe('the sandbox page in headless Chromium', () => {
  it('shows pushed contacts and their requests live, then the 503s once Callbell is switched down', async () => {
    const consoleErrors: string[] = [];
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('requestfailed', (request) => consoleErrors.push(`failed ${request.url()}`));
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(sandbox.url)) outside.push(request.url());
    });

    await page.goto(sandbox.uiUrl as string);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.waitForFunction(() => document.querySelector('#live')?.textContent === 'live');
    // Every vendor the sandbox runs has a card and a tab.
    const cards = await page.$$eval('#vendors .card', (found) =>
      found.map((card) => (card as unknown as HTMLElement).dataset.vendor),
    );
    expect(cards).toEqual(Object.keys(sandbox.emulators));

    const reports = await push(PEOPLE);
    expect(reports.flatMap((report) => report.results.map((result) => result.status))).toEqual(
      Array(PEOPLE.length * sandbox.storeConfigs().length).fill('created'),
    );

    // The contacts table (first tab: SMS Partner) fills without a reload.
    await page.waitForFunction(
      (count) => document.querySelectorAll('#contacts tr.contact').length === count,
      {},
      PEOPLE.length,
    );
    const held = await rows('#contacts tr.contact');
    expect(held.map((cells) => cells[1]).sort()).toEqual(
      PEOPLE.map((person) => `${person.firstName} ${person.lastName}`).sort(),
    );
    for (const cells of held) expect(cells[2]).toMatch(/^\+33\d•+\d{2}$/);
    // The request log, newest first, has every vendor's requests.
    await page.waitForFunction(
      (total) => document.querySelectorAll('#log tr.request').length >= total,
      {},
      Math.min(200, sandbox.requests.length),
    );
    const logged = await page.$$eval('#log tr.request', (found) =>
      found.map((row) => (row as unknown as HTMLElement).dataset.vendor),
    );
    expect(new Set(logged)).toEqual(
      new Set(sandbox.storeConfigs().map((config) => config.provider)),
    );

    // Search, and open a contact's raw vendor object.
    await page.click('#vendor-tabs button[data-vendor="callbell"]');
    await page.type('#search', 'zoe');
    await page.waitForFunction(
      () => document.querySelectorAll('#contacts tr.contact').length === 1,
    );
    await page.click('#contacts tr.contact');
    const raw = await page.waitForSelector('#contacts pre.raw-record');
    const rawText = (await raw?.evaluate((node) => node.textContent)) ?? '';
    expect(JSON.parse(rawText).record).toMatchObject({ name: 'Zoé Martin', tags: ['vip'] });
    expect(rawText).not.toContain('612345678');

    // Open a request: its body and answer, secrets redacted.
    await page.click('#log tr.request[data-vendor="smspartner"]');
    await page.waitForFunction(() => !(document.querySelector('#detail') as HTMLElement).hidden);
    await page.waitForFunction(() =>
      (document.querySelector('#detail-request')?.textContent ?? '').includes('[redacted]'),
    );
    const detail = await page.$eval('#detail', (node) => node.textContent ?? '');
    for (const secret of [
      SANDBOX_CREDENTIALS.smspartner.apiKey,
      SANDBOX_CREDENTIALS.callbell.apiToken,
      SANDBOX_CREDENTIALS.notificore.apiKey,
      SECRET,
    ]) {
      expect(detail).not.toContain(secret);
    }

    // Webhook deliveries with their signature check.
    await sandbox.webhook?.settled();
    await page.waitForFunction(
      (count) => document.querySelectorAll('#webhooks tbody tr.delivered').length === count,
      {},
      PEOPLE.length,
    );
    const deliveries = await rows('#webhooks tbody tr');
    expect(deliveries.every((cells) => cells[1] === 'contact_created')).toBe(true);
    expect(deliveries.some((cells) => cells[4] === 'mismatch (tampered) → ok')).toBe(true);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, 'sandbox-page.png'), fullPage: true });

    // Callbell down: every request 503.
    const before = sandbox.requests.length;
    await page.click('#vendors .card[data-vendor="callbell"] input[name="down"]');
    await waitFor(() => sandbox.vendorSwitches('callbell').down === true, 'Callbell switched down');
    await page.waitForSelector('#vendors .card.down[data-vendor="callbell"]');
    const second = await push([
      { key: 'crm-2001', phone: '06 01 02 03 04', firstName: 'Inès', lastName: 'Roux' },
    ]);
    const statuses = Object.fromEntries(
      second[0]?.results.map((result) => [result.provider, result.status]) ?? [],
    );
    expect(statuses).toEqual(
      Object.fromEntries(
        sandbox
          .storeConfigs()
          .map(({ provider }) => [provider, provider === 'callbell' ? 'failed' : 'created']),
      ),
    );
    const downs = sandbox.requests
      .slice(before)
      .filter((request) => request.provider === 'callbell');
    expect(downs.length).toBeGreaterThan(0);
    await page.waitForFunction(
      (count) =>
        document.querySelectorAll('#log tr.request[data-vendor="callbell"][data-status="503"]')
          .length === count,
      {},
      downs.length,
    );
    const faults = await page.$$eval(
      '#log tr.request[data-vendor="callbell"][data-status="503"] td.fault',
      (found) => found.map((cell) => cell.textContent),
    );
    expect(new Set(faults)).toEqual(new Set(['down']));
    // The counts per route show the 5xx.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#routes tbody tr[data-vendor="callbell"]')].some(
        (row) => Number(row.querySelectorAll('td')[6]?.textContent) > 0,
      ),
    );
    await page.click('#log tr.request[data-vendor="callbell"][data-status="503"]');
    await page.waitForFunction(() =>
      (document.querySelector('#detail-answer')?.textContent ?? '').startsWith('HTTP 503'),
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, 'sandbox-callbell-down.png'), fullPage: true });

    // Phones shown only when asked.
    await page.click('#show-phones');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#contacts tr.contact td.phone')].some((cell) =>
        /^\+33\d{9}$/.test(cell.textContent ?? ''),
      ),
    );

    expect(consoleErrors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
