import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBenchSite, onTopicPaths } from '../../bench/site/generate.js';
import { startBenchSite, type BenchSiteServer } from '../../bench/site/server.js';
import { parseFeed } from '../../src/parsers/feed.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const BASE = 'http://127.0.0.1:8080';
const small = { outlets: 5, articlesPerOutlet: 8, seed: 7, now: NOW };

describe('bench site generator', () => {
  const site = generateBenchSite(small);

  it('gives the same bytes for the same seed, and other bytes for another seed', () => {
    const again = generateBenchSite(small);
    const other = generateBenchSite({ ...small, seed: 8 });
    for (const [i, outlet] of site.outlets.entries()) {
      expect(again.renderFeed(again.outlets[i]!, BASE)).toBe(site.renderFeed(outlet, BASE));
    }
    for (const [i, article] of site.articles.entries()) {
      expect(again.renderArticle(again.articles[i]!, BASE)).toBe(site.renderArticle(article, BASE));
    }
    expect(other.renderArticle(other.articles[0]!, BASE)).not.toBe(site.renderArticle(site.articles[0]!, BASE));
  });

  it('renders article pages of 30-40 KB with the chrome of a news page', () => {
    for (const article of site.articles) {
      const html = site.renderArticle(article, BASE);
      const bytes = Buffer.byteLength(html);
      expect(bytes).toBeGreaterThanOrEqual(30_000);
      expect(bytes).toBeLessThanOrEqual(40_000);
      expect(html).toContain('"@type":"NewsArticle"');
      expect(html).toContain(`<meta property="article:published_time" content="${article.publishedAt}">`);
      expect(html).toMatch(/<nav class="menu"[^]*>Iran<\/a>[^]*>Venezuela<\/a>[^]*<\/nav>/);
      expect(html).toContain('Related News');
      expect(html).toContain('Most Read');
      expect(html).toContain('<svg');
      expect(article.paragraphs.length).toBeGreaterThanOrEqual(6);
      expect(article.paragraphs.length).toBeLessThanOrEqual(12);
    }
  });

  it('makes exactly one article in 40 on topic, naming Iran and a Latin American state', () => {
    expect(site.articles).toHaveLength(40);
    const onTopic = site.articles.filter((article) => article.onTopic);
    expect(onTopic).toHaveLength(1);
    expect(onTopicPaths(site)).toEqual([onTopic[0]!.path]);
    const text = onTopic[0]!.paragraphs.join(' ');
    expect(text).toMatch(/Iran/);
    expect(text).toContain(onTopic[0]!.event!.country);
    expect(text).toContain(onTopic[0]!.event!.actor);
    for (const article of site.articles.filter((a) => !a.onTopic)) expect(article.paragraphs.join(' ')).not.toMatch(/Iran|Tehran/);
  });

  it('spreads on-topic stories over distinct events (country + Iranian actor) in a larger site', () => {
    const large = generateBenchSite({ outlets: 40, articlesPerOutlet: 20, seed: 3, now: NOW });
    const onTopic = large.articles.filter((article) => article.onTopic);
    expect(onTopic).toHaveLength(20);
    const events = new Set(onTopic.map((article) => `${article.event!.country}|${article.event!.actor}`));
    expect(events.size).toBe(20);
    expect(new Set(onTopic.map((article) => article.event!.country)).size).toBeGreaterThanOrEqual(5);
  });

  it('writes RSS and Atom feeds that parseFeed reads, dated within the last two days', () => {
    expect(new Set(site.outlets.map((outlet) => outlet.format))).toEqual(new Set(['rss', 'atom']));
    for (const outlet of site.outlets) {
      const feed = parseFeed(site.renderFeed(outlet, BASE), `${BASE}${outlet.feedPath}`);
      expect(feed.format).toBe(outlet.format);
      expect(feed.skipped).toEqual([]);
      expect(feed.items.map((item) => item.url)).toEqual(outlet.articles.map((article) => `${BASE}${article.path}`));
      for (const item of feed.items) {
        const age = NOW - Date.parse(item.publishedAt!);
        expect(age).toBeGreaterThan(0);
        expect(age).toBeLessThan(2 * 86_400_000);
      }
    }
  });
});

describe('bench site server', () => {
  let served: BenchSiteServer;
  beforeAll(async () => {
    served = await startBenchSite({ ...small, hosts: 2 });
  });
  afterAll(async () => {
    await served.close();
  });

  it('serves feeds with an ETag and answers 304 to a matching If-None-Match', async () => {
    const outlet = served.site.outlets[1]!;
    const first = await fetch(served.feedUrl(outlet));
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const feed = parseFeed(await first.text(), served.feedUrl(outlet));
    expect(feed.items).toHaveLength(8);
    expect(served.outletBase(outlet)).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);

    const again = await fetch(served.feedUrl(outlet), { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const stale = await fetch(served.feedUrl(outlet), { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const stats = served.stats();
    expect(stats.feedRequests).toBe(3);
    expect(stats.notModified).toBe(1);
  });

  it('serves article pages, counts bytes and 404s unknown paths', async () => {
    served.resetStats();
    const article = served.site.articles[3]!;
    const page = await fetch(served.articleUrl(article));
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(served.site.renderArticle(article, served.outletBase(served.site.outlets[article.outletIndex]!)));
    const missing = await fetch(`${served.outletBase(served.site.outlets[0]!)}/robots.txt`);
    expect(missing.status).toBe(404);
    await missing.text();
    const stats = served.stats();
    expect(stats).toMatchObject({ requests: 2, articleRequests: 1, notFound: 1 });
    expect(stats.bodyBytes).toBeGreaterThan(1000);
    expect(stats.wireBytes).toBeGreaterThan(stats.bodyBytes);
    expect(served.onTopicUrls()).toHaveLength(1);
  });
});
