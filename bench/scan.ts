/**
 * End-to-end scan benchmark: `npx tsx bench/scan.ts [--outlets 100] [--articles 20] [--hosts 8] [--seed 1] [--min-delay 0]`.
 * Starts the generated news site (bench/site/) and a webhook receiver on loopback, writes a temporary config
 * (one feed source per outlet, embedded state in a temp folder) and runs `runScan` in this process, measuring
 * wall and CPU time, peak RSS, event-loop delay, articles per second and on-topic recall/precision against the
 * site's ground truth. A second scan on the same state then shows what a quiet poll costs (304s, bytes).
 * Prints readable lines, then one JSON line with every number.
 *
 * `--min-delay` is `fetch.minDelayMs`, the politeness gap between two requests to one host. It defaults to 0 here
 * so the numbers show the pipeline's own cost; with the service default (1000 ms) a loopback scan is bound by
 * pacing, not by CPU, and measures the queue's scheduling instead.
 *
 * The environment can change the scan's config for comparisons: `BENCH_PRESCREEN=0` turns `detect.prescreen` off,
 * `BENCH_EXTRACT_WORKERS=N` sets `extract.workers`.
 *
 * `--site-file FILE` scans a site already served by a parent process (bench/scan-compare.ts) instead of starting
 * one here, so serving the site is not counted in this process; the parent passes the counters over IPC.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startWebhookReceiver } from '../src/demo/receiver.js';
import { createLogger } from '../src/log.js';
import type { ScanReport } from '../src/scan.js';
import { describeSite, readSiteFile, remoteSite, type SiteFile } from './site-file.js';
import { startBenchSite, type BenchSiteStats } from './site/server.js';

/** The local receiver verifies each POST's signature with this secret, as a user's endpoint would. */
const BENCH_SECRET = `whsec_${Buffer.from('bench-scan-secret-0123456789abcd').toString('base64')}`;
const DIST_SCAN = fileURLToPath(new URL('../dist/scan.js', import.meta.url));

function numberArg(name: string, fallback: number, min = 1): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < min) throw new Error(`bench: --${name} needs an integer of at least ${min}`);
  return value;
}

const siteFileAt = process.argv.indexOf('--site-file');
const siteFile = siteFileAt < 0 ? undefined : await readSiteFile(process.argv[siteFileAt + 1] ?? '');
const outlets = siteFile?.options.outlets ?? numberArg('outlets', 100);
const articlesPerOutlet = siteFile?.options.articlesPerOutlet ?? numberArg('articles', 20);
const hosts = siteFile?.options.hosts ?? numberArg('hosts', 8);
const seed = siteFile?.options.seed ?? numberArg('seed', 1);
const minDelayMs = numberArg('min-delay', 0, 0);

interface Measured {
  report: ScanReport;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  peakRssMb: number;
  loopDelayMs: { p50: number; p99: number; max: number };
  site: BenchSiteStats;
}

/** One scan with the process-level measurements around it. */
async function measuredScan(run: () => Promise<ScanReport>, siteStats: () => Promise<BenchSiteStats>): Promise<Measured> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const cpu = process.cpuUsage();
  const started = performance.now();
  loop.enable();
  try {
    const report = await run();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return {
      report,
      wallMs,
      cpuUserMs: used.user / 1000,
      cpuSystemMs: used.system / 1000,
      peakRssMb: peakRss / 2 ** 20,
      loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      site: await siteStats(),
    };
  } finally {
    loop.disable();
    clearInterval(sampler);
  }
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const cpuPerArticle = (m: Measured): number => (m.cpuUserMs + m.cpuSystemMs) / Math.max(1, m.site.articleRequests);

/** The site under test, whether served here or by a parent process. */
interface ScanSite {
  described: Pick<SiteFile, 'outlets' | 'onTopicUrls' | 'pages'>;
  stats(): Promise<BenchSiteStats>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

async function openSite(): Promise<ScanSite> {
  if (siteFile) {
    const remote = remoteSite();
    // The IPC channel would keep this process alive once the scans are done.
    return { described: siteFile, ...remote, close: async () => process.disconnect?.() };
  }
  const served = await startBenchSite({ outlets, articlesPerOutlet, hosts, seed, now: Date.now() });
  return {
    described: describeSite(served, hosts),
    stats: async () => served.stats(),
    resetStats: async () => served.resetStats(),
    close: () => served.close(),
  };
}

const site = await openSite();
const receiver = await startWebhookReceiver(BENCH_SECRET);
const dir = await mkdtemp(join(tmpdir(), 'diplowatch-bench-scan-'));
try {
  const configPath = join(dir, 'diplowatch.yaml');
  const config = {
    sources: site.described.outlets.map((outlet) => ({ id: outlet.id, name: outlet.name, feed: outlet.feedUrl, maxAgeDays: 3 })),
    alerts: { webhooks: [{ id: 'bench', url: receiver.url, secret: BENCH_SECRET }] },
    fetch: { allowPrivateNetworks: true, minDelayMs },
    detect: { topic: fileURLToPath(new URL('../config/topics/iran-latam.yaml', import.meta.url)), prescreen: process.env.BENCH_PRESCREEN !== '0' },
    // BENCH_EXTRACT_WORKERS=N sets extract.workers (scan-compare's children inherit the environment).
    ...(process.env.BENCH_EXTRACT_WORKERS ? { extract: { workers: Number(process.env.BENCH_EXTRACT_WORKERS) } } : {}),
    state: { dir: join(dir, 'state') },
    log: { level: 'silent' },
  };
  await writeFile(configPath, stringify(config));
  const logger = createLogger({ level: 'silent', pretty: false });
  // The scan must not pick up a developer's Redis or state folder from the environment.
  const env = { ...process.env, REDIS_URL: undefined, DIPLOWATCH_STATE_DIR: undefined, LOG_LEVEL: undefined };
  // The compiled service (dist/, built by `npm ci`) is what users run: its extraction workers load plain
  // JavaScript, not the TypeScript loader, so memory is measured on it. BENCH_FROM_SOURCE=1 scans from src/.
  const { runScan } = (await import(process.env.BENCH_FROM_SOURCE === '1' || !existsSync(DIST_SCAN) ? '../src/scan.js' : DIST_SCAN)) as typeof import('../src/scan.js');
  const scan = (): Promise<ScanReport> => runScan({ configPath, logger, env });

  const truth = new Set(site.described.onTopicUrls);
  const total = site.described.pages;
  const loadBefore = loadavg()[0] ?? 0;
  // Wall time means little on a busy machine; CPU time per article does not depend on the neighbours.
  console.log(`machine: ${availableParallelism()} cores, load average ${loadBefore.toFixed(1)} at start`);
  console.log(`site: ${outlets} outlets × ${articlesPerOutlet} articles = ${total} pages on ${hosts} loopback host(s), ${truth.size} on topic; fetch.minDelayMs ${minDelayMs}`);

  const first = await measuredScan(scan, () => site.stats());
  const postsFirst = receiver.received.length;
  const found = new Set(first.report.stories.flatMap((story) => story.articles.flatMap((a) => [a.url, a.canonicalUrl])));
  const hits = [...truth].filter((url) => found.has(url));
  const misses = [...truth].filter((url) => !found.has(url));
  const falsePositives = first.report.stories.flatMap((story) => story.articles.map((a) => a.url)).filter((url) => !truth.has(url));
  const fresh = first.report.rows.reduce((sum, row) => sum + row.fresh, 0);
  const errors = first.report.rows.flatMap((row) => row.errors);

  await site.resetStats();
  const second = await measuredScan(scan, () => site.stats());
  const maxRssMb = process.resourceUsage().maxRSS / 1024;

  const fmt = (m: Measured): string =>
    `wall ${(m.wallMs / 1000).toFixed(2)} s, cpu ${((m.cpuUserMs + m.cpuSystemMs) / 1000).toFixed(2)} s (user ${(m.cpuUserMs / 1000).toFixed(2)}, sys ${(m.cpuSystemMs / 1000).toFixed(2)}), peak rss ${m.peakRssMb.toFixed(0)} MB, ` +
    `loop delay p50 ${m.loopDelayMs.p50.toFixed(1)} / p99 ${m.loopDelayMs.p99.toFixed(1)} / max ${m.loopDelayMs.max.toFixed(1)} ms`;
  const wire = (s: BenchSiteStats): string =>
    `${s.requests} requests (${s.feedRequests} feeds, ${s.articleRequests} pages, ${s.notModified} × 304), ${(s.wireBytes / 1024).toFixed(1)} KB on the wire, ${s.connections} new connections`;

  console.log(`scan 1: ${fmt(first)}`);
  console.log(`        ${wire(first.site)}`);
  console.log(`        ${fresh} new articles, ${(first.site.articleRequests / (first.wallMs / 1000)).toFixed(1)} articles/s, ${cpuPerArticle(first).toFixed(1)} ms CPU/article, ${first.report.stories.length} stories, ${postsFirst} webhook POSTs, ${first.report.failedAlerts} failed alerts, ${errors.length} source errors`);
  console.log(`        on topic: found ${hits.length} of ${truth.size}, ${falsePositives.length} false positive(s)`);
  for (const url of misses) console.log(`        missed: ${url}`);
  for (const url of falsePositives) console.log(`        false positive: ${url}`);
  for (const error of errors.slice(0, 5)) console.log(`        error: ${error}`);
  console.log(`scan 2: ${fmt(second)}`);
  console.log(`        ${wire(second.site)}, ${second.report.stories.length} new stories, ${receiver.received.length - postsFirst} webhook POSTs`);
  console.log(`process max RSS (getrusage): ${maxRssMb.toFixed(0)} MB`);

  const summary = (m: Measured) => ({
    wallMs: round(m.wallMs),
    cpuMs: round(m.cpuUserMs + m.cpuSystemMs),
    cpuUserMs: round(m.cpuUserMs),
    cpuSystemMs: round(m.cpuSystemMs),
    peakRssMb: round(m.peakRssMb),
    loopDelayMs: { p50: round(m.loopDelayMs.p50, 2), p99: round(m.loopDelayMs.p99, 2), max: round(m.loopDelayMs.max, 2) },
    requests: m.site.requests,
    feedRequests: m.site.feedRequests,
    articleRequests: m.site.articleRequests,
    notModified: m.site.notModified,
    bodyBytes: m.site.bodyBytes,
    wireBytes: m.site.wireBytes,
    connections: m.site.connections,
    stories: m.report.stories.length,
    failedAlerts: m.report.failedAlerts,
  });
  console.log(
    JSON.stringify({
      bench: 'scan',
      node: process.version,
      outlets,
      articlesPerOutlet,
      hosts,
      seed,
      minDelayMs,
      cores: availableParallelism(),
      loadAverage: { start: round(loadBefore, 2), end: round(loadavg()[0] ?? 0, 2) },
      pages: total,
      first: { ...summary(first), freshArticles: fresh, articlesPerSecond: round(first.site.articleRequests / (first.wallMs / 1000), 2), cpuMsPerArticle: round(cpuPerArticle(first), 2), webhookPosts: postsFirst, sourceErrors: errors.length },
      onTopic: { expected: truth.size, found: hits.length, misses, falsePositives },
      second: { ...summary(second), webhookPosts: receiver.received.length - postsFirst },
      maxRssMb: round(maxRssMb),
    }),
  );
} finally {
  await receiver.close();
  await site.close();
  await rm(dir, { recursive: true, force: true });
}
