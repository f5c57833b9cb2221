import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from '@crawlee/jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrawleeBaseline } from '../../bench/crawlee-baseline.js';
import { runBenchChild, writeSiteFile } from '../../bench/site-file.js';
import { startBenchSite, type BenchSiteServer } from '../../bench/site/server.js';
import { compileTopic, detect, parseTopic } from '../../src/detect/index.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const topicFile = join(repoRoot, 'config/topics/iran-latam.yaml');

// Four outlets (two RSS, two Atom) × 10 articles: 40 pages, one block of 40, so exactly one on topic.
describe('scan comparison sides', () => {
  let site: BenchSiteServer;
  let work: string;

  beforeAll(async () => {
    log.setLevel(log.LEVELS.WARNING);
    site = await startBenchSite({ outlets: 4, articlesPerOutlet: 10, hosts: 2, seed: 3, now: NOW });
    work = await mkdtemp(join(tmpdir(), 'diplowatch-compare-test-'));
  });
  afterAll(async () => {
    await site.close();
    await rm(work, { recursive: true, force: true });
  });

  it('the Crawlee baseline reads RSS and Atom feeds, extracts every article and keeps what topicCheck accepts', async () => {
    const topic = compileTopic(parseTopic(await readFile(topicFile, 'utf8'), topicFile));
    const titles: string[] = [];
    site.resetStats();
    const result = await runCrawleeBaseline({
      feedUrls: site.site.outlets.map((outlet) => site.feedUrl(outlet)),
      topicCheck: (title, text) => {
        titles.push(title);
        return detect({ title, text }, topic).match;
      },
    });
    expect(site.site.outlets.map((outlet) => outlet.format).sort()).toEqual(['atom', 'atom', 'rss', 'rss']);
    expect(result.feeds).toBe(4);
    expect(result.pages).toBe(40);
    expect(result.failed).toBe(0);
    expect(site.stats().articleRequests).toBe(40);
    // Readability's titles reach the check, so the judgement is made on the article and not on the page chrome.
    expect(new Set(titles)).toEqual(new Set(site.site.articles.map((article) => article.title)));
    expect(result.matched).toEqual(site.onTopicUrls());
    expect(result.matched).toHaveLength(1);
    expect(result.cpuMs).toBeGreaterThan(0);
    expect(result.peakRssMb).toBeGreaterThan(0);
    expect(existsSync(join(repoRoot, 'storage'))).toBe(false);
  });

  it('bench/scan.ts --site-file scans the parent’s site and reads its counters over IPC', async () => {
    const siteFile = join(work, 'site.json');
    await writeSiteFile(siteFile, site, 2);
    site.resetStats();
    const json = await runBenchChild({ script: 'bench/scan.ts', siteFile, server: site, cwd: repoRoot, timeoutMs: 120_000 });
    const first = json.first as { articleRequests: number; feedRequests: number; freshArticles: number };
    const second = json.second as { articleRequests: number; notModified: number };
    expect(json.outlets).toBe(4);
    expect(json.articlesPerOutlet).toBe(10);
    expect(first.feedRequests).toBe(4);
    expect(first.articleRequests).toBe(40);
    expect(first.freshArticles).toBe(40);
    expect(json.onTopic).toEqual({ expected: 1, found: 1, misses: [], falsePositives: [] });
    // The quiet second pass got 304s for the feeds and fetched no page.
    expect(second.articleRequests).toBe(0);
    expect(second.notModified).toBe(4);
  });
});
