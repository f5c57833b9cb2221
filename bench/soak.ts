/**
 * Soak benchmark: `npx tsx bench/soak.ts [--minutes 30] [--outlets 20] [--publish-every 3] [--poll-every 15] [--seed 1]`.
 * Runs the service as a child process in embedded mode against the bench site, publishes a new article every few
 * seconds (one in ten on topic), samples the child's RSS and CPU every 10 s, and prints start/end/max RSS and the
 * least-squares RSS slope in MB/hour (over the whole run and over its second half, after warm-up), then the size of
 * the embedded state per stored article. Prints readable lines, then one JSON line with every number.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhookReceiver } from '../src/demo/receiver.js';
import { DISTINCT_EVENTS } from './site/on-topic.js';
import { createRandom } from './site/random.js';
import { startBenchSite } from './site/server.js';
import { BENCH_SECRET, load1, numberArg, processUsage, sleep, slope, startServiceProcess, writeBenchConfig } from './site/service-process.js';

const minutes = numberArg('minutes', 30, 0.1);
const outlets = numberArg('outlets', 20, 1);
const publishEverySec = numberArg('publish-every', 3, 0.1);
const pollEverySec = numberArg('poll-every', 15, 1);
const seed = numberArg('seed', 1);
const SAMPLE_MS = 10_000;
const ARTICLES_PER_OUTLET = 10;

const site = await startBenchSite({ outlets, articlesPerOutlet: ARTICLES_PER_OUTLET, seed, now: Date.now(), hosts: 4, feedItems: 30 });
const receiver = await startWebhookReceiver(BENCH_SECRET);
const dir = await mkdtemp(join(tmpdir(), 'diplowatch-bench-soak-'));
const stateDir = join(dir, 'state');
const configPath = join(dir, 'diplowatch.yaml');
await writeBenchConfig(configPath, {
  sources: site.site.outlets.map((outlet) => ({ id: outlet.id, name: outlet.name, feed: site.feedUrl(outlet), schedule: `*/${pollEverySec} * * * * *` })),
  webhookUrl: receiver.url,
  stateDir,
});
const logPath = join(dir, 'service.log');
console.log(`machine: ${availableParallelism()} cores, load ${load1()}; soak ${minutes} min, ${outlets} feeds polled every ${pollEverySec} s, a new article every ${publishEverySec} s; service log ${logPath}`);

const service = startServiceProcess(configPath, { logPath });
const samples: { tSec: number; rssMb: number; cpuMs: number; load: string }[] = [];
const started = Date.now();
const random = createRandom(seed, 0x50a6);
// Ordinals of the site's own on-topic articles come first; new events start after them.
let nextOrdinal = Math.ceil((outlets * ARTICLES_PER_OUTLET) / 40);
let published = 0;
let publishedOnTopic = 0;

const publisher = setInterval(() => {
  const outlet = random.pick(site.site.outlets);
  const onTopic = random.chance(0.1);
  site.publish(outlet, onTopic ? { onTopic, ordinal: nextOrdinal++ % DISTINCT_EVENTS } : { onTopic });
  published += 1;
  if (onTopic) publishedOnTopic += 1;
}, publishEverySec * 1000);

async function sample(): Promise<void> {
  const usage = await processUsage(service.pid);
  if (!usage) return;
  const tSec = (Date.now() - started) / 1000;
  const entry = { tSec: Math.round(tSec), rssMb: usage.rssBytes / 2 ** 20, cpuMs: usage.cpuMs, load: load1() };
  samples.push(entry);
  const stats = site.stats();
  console.log(`t=${entry.tSec}s rss ${entry.rssMb.toFixed(1)} MB cpu ${(usage.cpuMs / 1000).toFixed(1)} s load ${entry.load} published ${published} pages fetched ${stats.articleRequests} alerts ${receiver.received.length}`);
}

try {
  const end = started + minutes * 60_000;
  while (Date.now() < end) {
    await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())));
    await sample();
    if (service.child.exitCode !== null) throw new Error(`bench: the service exited with ${service.child.exitCode}; see ${logPath}`);
  }
} finally {
  clearInterval(publisher);
}
await service.stop();

// The first minute is start-up (module loading, worker threads, the first poll of every feed): not a trend.
const WARM_UP_SEC = 60;
const points = samples.filter((s) => s.tSec >= WARM_UP_SEC).map((s) => ({ x: s.tSec / 3600, y: s.rssMb }));
const secondHalf = points.filter((p) => p.x * 3600 >= (minutes * 60) / 2);
const first = samples.find((s) => s.tSec >= WARM_UP_SEC) ?? samples[0];
const last = samples.at(-1);
const maxRss = Math.max(...samples.map((s) => s.rssMb));
const cpuSec = ((last?.cpuMs ?? 0) - (first?.cpuMs ?? 0)) / 1000;
const wallSec = (last?.tSec ?? 0) - (first?.tSec ?? 0);

// The embedded store's footprint: every state file, and the stories file per stored article.
const files: Record<string, number> = {};
for (const name of await readdir(stateDir)) files[name] = (await stat(join(stateDir, name))).size;
// The store writes `{ version, entries: { key: record } }`; a story record holds its articles.
const entriesOf = async (name: string): Promise<unknown[]> => {
  try {
    const parsed = JSON.parse(await readFile(join(stateDir, name), 'utf8')) as { entries?: Record<string, unknown> };
    return Object.values(parsed.entries ?? {});
  } catch {
    return [];
  }
};
const storyRecords = await entriesOf('stories.json');
const stories = storyRecords.length;
const storedArticles = storyRecords.reduce<number>((sum, record) => {
  const articles = typeof record === 'object' && record !== null ? (record as { articles?: unknown }).articles : undefined;
  return sum + (Array.isArray(articles) ? articles.length : 0);
}, 0);
const seenUrls = (await entriesOf('seen.json')).length;

const siteStats = site.stats();
const summary = {
  bench: 'soak',
  node: process.version,
  minutes,
  outlets,
  pollEverySec,
  publishEverySec,
  published,
  publishedOnTopic,
  pagesFetched: siteStats.articleRequests,
  feedRequests: siteStats.feedRequests,
  notModified: siteStats.notModified,
  alertsReceived: receiver.received.length,
  alertsSignedOk: receiver.received.filter((alert) => alert.signatureValid).length,
  warmUpSec: WARM_UP_SEC,
  rssMb: { start: first?.rssMb, startAtSec: first?.tSec, end: last?.rssMb, max: maxRss },
  slopeMbPerHour: { afterWarmUp: slope(points), secondHalf: slope(secondHalf) },
  cpu: { totalSeconds: (last?.cpuMs ?? 0) / 1000, afterWarmUpSeconds: cpuSec, percentOfOneCoreAfterWarmUp: wallSec > 0 ? (100 * cpuSec) / wallSec : Number.NaN },
  stateFiles: files,
  stories,
  storedArticles,
  seenUrls,
  storiesFileBytesPerArticle: storedArticles > 0 ? (files['stories.json'] ?? 0) / storedArticles : null,
  seenFileBytesPerUrl: seenUrls > 0 ? (files['seen.json'] ?? 0) / seenUrls : null,
  loadAverage: { start: first?.load, end: load1() },
  samples: samples.map((s) => [s.tSec, Number(s.rssMb.toFixed(1))]),
};
const mb = (value: number | undefined): string => (value === undefined ? '?' : value.toFixed(1));
console.log(`RSS at ${first?.tSec ?? '?'} s ${mb(first?.rssMb)} MB, end ${mb(last?.rssMb)} MB, max ${mb(maxRss)} MB; slope ${slope(points).toFixed(2)} MB/h from ${WARM_UP_SEC} s on, ${slope(secondHalf).toFixed(2)} MB/h over the second half`);
console.log(`CPU ${cpuSec.toFixed(1)} s over ${wallSec} s (${summary.cpu.percentOfOneCoreAfterWarmUp.toFixed(1)}% of one core) after warm-up, ${summary.cpu.totalSeconds.toFixed(1)} s in all; published ${published} (${publishedOnTopic} on topic), fetched ${siteStats.articleRequests} pages, ${receiver.received.length} alerts`);
console.log(`state: ${JSON.stringify(files)}; ${stories} stories, ${storedArticles} stored articles, ${seenUrls} seen URLs`);
console.log(JSON.stringify(summary));

await receiver.close();
await site.close();
await rm(dir, { recursive: true, force: true });
