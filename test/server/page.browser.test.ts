import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';

/** Fails unless the element is rendered with a size and not hidden (waits briefly for it). */
async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 5_000 });
  expect(await locator.isVisible()).toBe(true);
}
const OUTPUT = 'test-output';

describe('the web page in a real browser', () => {
  let harness: Harness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the page test needs Debian's chromium. Install it with: apt-get update && apt-get install -y chromium`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    harness = await startHarness();
    await mkdir(OUTPUT, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.cleanup();
  });

  async function open(viewport: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    // Everything the page needs comes from our server; anything else would be a leak (or a missing asset).
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(harness.server.url)) foreign.push(req.url());
    });
    const response = await page.goto(`${harness.server.url}/`);
    expect(response?.status()).toBe(200);
    expect(foreign).toEqual([]);
    return page;
  }

  async function checkContent(page: Page): Promise<void> {
    const caracas = page.locator('#story-raisi-caracas');
    await visible(caracas.locator('h2').getByRole('link', { name: 'Raisi lands in Caracas as first stop of a Latin American tour' }));
    expect(await caracas.locator('.outlets').innerText()).toBe('Caribbean Ledger · Andes Wire · Diario del Orinoco');
    await visible(caracas.locator('.chip.country', { hasText: 'Venezuela' }));
    await visible(caracas.locator('.chip.actor', { hasText: 'Ebrahim Raisi' }));
    expect(await caracas.locator('time').first().innerText()).toBe('2023-06-12 15:10 UTC');
    // Accent-insensitive marks: the signature says "Ebrahim Raisi", the reason says "Ebrahim Raisí".
    expect(await caracas.locator('.reasons mark').allInnerTexts()).toEqual(['Ebrahim Raisí', 'Venezuela']);
    await visible(caracas.locator('.reasons mark').first());
    // Three articles, so the list is open, each with its join reason.
    await visible(caracas.locator('.articles .join', { hasText: 'same event: visit by Ebrahim Raisi to Venezuela (Caracas)' }));
    // A surname alone is marked too.
    expect(await page.locator('#story-raisi-managua .reasons mark').allInnerTexts()).toEqual(['Raisi', 'Nicaragua']);

    // Hostile markup shows as text and never runs.
    const hostile = page.locator('#story-hostile-title');
    await visible(hostile.locator('h2').getByRole('link', { name: 'Embassy note <script>alert("x")</script> & more' }));
    expect(await page.locator('main script, body script').count()).toBe(0);
    expect(await hostile.locator('.reasons').innerText()).toContain('its <b>embassy</b> in Managua');

    const sources = page.locator('#sources');
    await visible(sources);
    expect(await sources.locator('.source.ok').innerText()).toMatch(/^Caribbean Ledger ok 2023-06-15 19:00 UTC$/);
    expect(await sources.locator('.source.failing').innerText()).toContain('Andes Wire failing since 2023-06-14 08:00 UTC (4 failed polls)');
    expect(await sources.locator('.source.failing .error').innerText()).toBe('fetch: HTTP 503 from https://andeswire.example/news/');
    expect(await sources.locator('.source.never-polled').innerText()).toBe('Diario del Orinoco never polled');
    expect(await sources.locator('.source.disabled').innerText()).toBe('Dormant Gazette disabled');
  }

  it('shows stories, evidence and source health on a desktop screen', async () => {
    const page = await open({ width: 1280, height: 900 });
    await checkContent(page);
    // Wide screens put the sources panel beside the stories.
    const main = await page.locator('main').boundingBox();
    const aside = await page.locator('aside').boundingBox();
    expect(aside && main && aside.x > main.x + main.width - 1).toBe(true);
    await page.screenshot({ path: `${OUTPUT}/page.png`, fullPage: true });
    await page.close();
  });

  it('stays readable on a phone: one column, nothing wider than the screen', async () => {
    const page = await open({ width: 390, height: 844 });
    await checkContent(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const main = await page.locator('main').boundingBox();
    const aside = await page.locator('aside').boundingBox();
    expect(aside && main && aside.y >= main.y + main.height - 1).toBe(true);
    expect(main?.width).toBeGreaterThan(300);
    await page.screenshot({ path: `${OUTPUT}/page-mobile.png`, fullPage: true });
    await page.close();
  });

  it('filters from the form', async () => {
    const page = await open({ width: 1280, height: 900 });
    await page.getByLabel('Country').fill('bolivia');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/country=bolivia/);
    expect(await page.locator('main .story h2').allInnerTexts()).toEqual(['Bolivia and Iran sign a defence memorandum']);
    await page.close();
  });
});
