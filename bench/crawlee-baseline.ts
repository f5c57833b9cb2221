/**
 * The baseline of the scan benchmark: what a competent engineer would build with Crawlee to do diplowatch's job
 * once — a `JSDOMCrawler` that starts at the feeds, parses each feed's body with fast-xml-parser, enqueues the
 * article links, runs Readability on each article's `window.document` and asks `topicCheck`. Crawlee defaults
 * otherwise (autoscaled concurrency, session pool, retries, got-scraping), with in-memory storage so nothing is
 * written to ./storage.
 *
 * Run alone: `npx tsx bench/crawlee-baseline.ts --site-file FILE [--topic config/topics/iran-latam.yaml]`, where
 * FILE is the site description `bench/scan-compare.ts` writes (bench/site-file.ts). It prints
 * one JSON line with the result and the process's own CPU time and peak RSS, so a parent can compare sides.
 */
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Configuration, JSDOMCrawler, log } from '@crawlee/jsdom';
import { Readability } from '@mozilla/readability';
import { XMLParser } from 'fast-xml-parser';
import { compileTopic, detect, parseTopic } from '../src/detect/index.js';
import { readSiteFile } from './site-file.js';

/** What the baseline crawls and how it judges an article. */
export interface CrawleeBaselineOptions {
  feedUrls: string[];
  /** The on-topic judgement, given Readability's title and text (the benchmark passes diplowatch's `detect`). */
  topicCheck: (title: string, text: string) => boolean;
}

/** What one baseline pass found and what it cost this process. */
export interface CrawleeBaselineResult {
  /** Article pages handled (feeds not counted). */
  pages: number;
  feeds: number;
  /** URLs of the articles `topicCheck` accepted. */
  matched: string[];
  /** Requests Crawlee gave up on after its retries. */
  failed: number;
  wallMs: number;
  /** User + system CPU time of this process during the pass. */
  cpuMs: number;
  /** Highest resident set size sampled during the pass (every 50 ms), in MiB. */
  peakRssMb: number;
  /** The kernel's highest resident set size of this process since it started (getrusage), in MiB. */
  maxRssMb: number;
  loopDelayMs: { p50: number; p99: number; max: number };
}

const FEED_LABEL = 'feed';
const ARTICLE_LABEL = 'article';

// Feeds arrive as a Buffer: Crawlee builds a DOM only for HTML and plain XML types, not for RSS/Atom ones.
const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'item' || name === 'entry' || name === 'link' });

type XmlNode = Record<string, unknown>;
const nodes = (value: unknown): XmlNode[] => (Array.isArray(value) ? value.filter((v): v is XmlNode => typeof v === 'object' && v !== null) : []);
const child = (value: unknown, name: string): unknown => (typeof value === 'object' && value !== null ? (value as XmlNode)[name] : undefined);

/** Links of an RSS 2.0 (`item/link`) or Atom (`entry/link[@rel=alternate]/@href`) document. */
function feedLinks(body: Buffer | string): string[] {
  const doc: unknown = xmlParser.parse(body.toString());
  const links: string[] = [];
  for (const item of nodes(child(child(child(doc, 'rss'), 'channel'), 'item'))) {
    const link = (item.link as unknown[] | undefined)?.[0];
    if (typeof link === 'string' && link.trim() !== '') links.push(link.trim());
  }
  for (const entry of nodes(child(child(doc, 'feed'), 'entry'))) {
    const alternate = nodes(entry.link).find((link) => (link.rel ?? 'alternate') === 'alternate');
    if (typeof alternate?.href === 'string') links.push(alternate.href);
  }
  return links;
}

/** Crawls the feeds and their articles once with Crawlee's JSDOMCrawler, measuring this process around it. */
export async function runCrawleeBaseline(options: CrawleeBaselineOptions): Promise<CrawleeBaselineResult> {
  // Crawlee's in-memory storage mirrors itself to ./storage by default; a one-shot pass has nothing to keep.
  const config = new Configuration({ persistStorage: false });
  const matched: string[] = [];
  let pages = 0;
  let feeds = 0;
  let failed = 0;
  const crawler = new JSDOMCrawler(
    {
      // Feeds come as application/rss+xml and application/atom+xml, which Crawlee skips unless told.
      additionalMimeTypes: ['application/rss+xml', 'application/atom+xml'],
      async requestHandler({ request, body, window, addRequests }) {
        if (request.label === FEED_LABEL) {
          feeds += 1;
          // `enqueueLinks` is a no-op for non-HTML bodies, so the links go straight to the queue.
          await addRequests(feedLinks(body).map((url) => ({ url, label: ARTICLE_LABEL })));
          return;
        }
        pages += 1;
        const article = new Readability(window.document).parse();
        if (article && options.topicCheck(article.title ?? '', article.textContent ?? '')) matched.push(request.url);
      },
      failedRequestHandler() {
        failed += 1;
      },
    },
    config,
  );

  const loop = monitorEventLoopDelay({ resolution: 10 });
  let sampledRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
  }, 50);
  const cpu = process.cpuUsage();
  const started = performance.now();
  loop.enable();
  try {
    await crawler.run(options.feedUrls.map((url) => ({ url, label: FEED_LABEL })));
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
    return {
      pages,
      feeds,
      matched,
      failed,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      peakRssMb: sampledRss / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    };
  } finally {
    loop.disable();
    clearInterval(sampler);
    await crawler.teardown();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'site-file': { type: 'string' }, topic: { type: 'string' } } });
  const siteFile = values['site-file'];
  if (!siteFile) throw new Error('crawlee-baseline: --site-file FILE is required');
  const site = await readSiteFile(siteFile);
  const topicFile = values.topic ?? fileURLToPath(new URL('../config/topics/iran-latam.yaml', import.meta.url));
  const topic = compileTopic(parseTopic(await readFile(topicFile, 'utf8'), topicFile));
  // Crawlee's INFO lines (autoscaling, statistics) would interleave with the JSON on stdout.
  log.setLevel(log.LEVELS.WARNING);
  const result = await runCrawleeBaseline({
    feedUrls: site.outlets.map((outlet) => outlet.feedUrl),
    topicCheck: (title, text) => detect({ title, text }, topic).match,
  });
  console.log(JSON.stringify({ side: 'crawlee', node: process.version, ...result }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
