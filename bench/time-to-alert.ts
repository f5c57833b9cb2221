/**
 * Time-to-alert benchmark: `npx tsx bench/time-to-alert.ts [--mode embedded|redis|both] [--items 20] [--seed 1] [--poll 10]`.
 * Starts the bench site (5 outlets), a webhook receiver and the service as a child process (`diplowatch run`,
 * role all; redis mode uses db 10 of the local Redis under a fresh prefix, deleted afterwards). Every feed is
 * polled on a 6-field cron every `--poll` seconds. After the first poll has settled, it publishes `--items`
 * on-topic articles, each a distinct event, at seeded random moments (3–17 s apart) and measures from the moment
 * an article goes live on the site to the moment the receiver gets its signed `story.created`. The wait for the
 * next poll is reported apart from the processing after it (the site logs each feed request).
 * Target: p95 ≤ poll interval + 2 s. Prints readable lines, then one JSON line per mode.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhookReceiver } from '../src/demo/receiver.js';
import { createRandom } from './site/random.js';
import { startBenchSite } from './site/server.js';
import { BENCH_REDIS_URL, BENCH_SECRET, deleteRedisPrefix, load1, numberArg, quantile, sleep, startServiceProcess, stringArg, writeBenchConfig } from './site/service-process.js';

const modeArg = stringArg('mode', 'both');
if (!['embedded', 'redis', 'both'].includes(modeArg)) throw new Error('bench: --mode must be embedded, redis or both');
const items = numberArg('items', 20, 1);
const seed = numberArg('seed', 1);
const pollSec = numberArg('poll', 10, 1);
const OUTLETS = 5;
const ARTICLES_PER_OUTLET = 10;

interface Published {
  ordinal: number;
  path: string;
  feedPath: string;
  publishedAtMs: number;
  alertAtMs?: number;
  /** First request of the article's feed after it was published. */
  polledAtMs?: number;
}

async function measure(mode: 'embedded' | 'redis'): Promise<Record<string, unknown>> {
  // One on-topic article in 1000 keeps the initial 50 pages off topic, so every alert comes from a publication.
  const site = await startBenchSite({ outlets: OUTLETS, articlesPerOutlet: ARTICLES_PER_OUTLET, seed, now: Date.now(), onTopicEvery: 1000, hosts: 2, logFeedRequests: true, feedItems: 30 });
  const receiver = await startWebhookReceiver(BENCH_SECRET);
  const dir = await mkdtemp(join(tmpdir(), `diplowatch-bench-tta-${mode}-`));
  const prefix = `dwbench:tta:${randomBytes(4).toString('hex')}`;
  const configPath = join(dir, 'diplowatch.yaml');
  await writeBenchConfig(configPath, {
    sources: site.site.outlets.map((outlet) => ({ id: outlet.id, name: outlet.name, feed: site.feedUrl(outlet), schedule: `*/${pollSec} * * * * *` })),
    webhookUrl: receiver.url,
    stateDir: join(dir, 'state'),
    ...(mode === 'redis' ? { redis: { url: BENCH_REDIS_URL, prefix } } : {}),
  });
  const published: Published[] = [];
  const unexpected: string[] = [];
  receiver.onAlert((alert) => {
    const at = Date.now();
    if (!alert.signatureValid || alert.payload?.type !== 'story.created') {
      unexpected.push(`${alert.payload?.type ?? 'unparsed'} signature ${alert.signatureValid ? 'ok' : 'bad'}`);
      return;
    }
    const urls = [alert.payload.story.url, ...alert.payload.story.articles.map((article) => article.url)];
    const item = published.find((entry) => urls.some((url) => url.endsWith(entry.path)));
    if (!item || item.alertAtMs !== undefined) unexpected.push(`story.created for ${alert.payload.story.url}`);
    else item.alertAtMs = at;
  });

  const logPath = join(dir, 'service.log');
  const service = startServiceProcess(configPath, { logPath });
  const loadStart = load1();
  try {
    // The start-up poll fetches the 50 existing pages; publishing starts once that is done and quiet.
    const settleDeadline = Date.now() + 180_000;
    while (site.stats().articleRequests < OUTLETS * ARTICLES_PER_OUTLET && Date.now() < settleDeadline) await sleep(250);
    await sleep(3_000);
    const random = createRandom(seed, 0x77a);
    for (let i = 0; i < items; i++) {
      await sleep(random.between(3_000, 17_000));
      const outlet = random.pick(site.site.outlets);
      // Ordinals below the site's 70 distinct (state, actor) pairs never fall into one story.
      const { article, publishedAtMs } = site.publish(outlet, { onTopic: true, ordinal: i + 1 });
      published.push({ ordinal: i + 1, path: article.path, feedPath: outlet.feedPath, publishedAtMs });
    }
    const deadline = Date.now() + pollSec * 1000 + 60_000;
    while (published.some((item) => item.alertAtMs === undefined) && Date.now() < deadline) await sleep(200);
    await sleep(2_000); // room for a duplicate alert to show up
  } finally {
    await service.stop();
    await receiver.close();
    await site.close();
    if (mode === 'redis') await deleteRedisPrefix(BENCH_REDIS_URL, prefix);
    await rm(dir, { recursive: true, force: true });
  }
  const feedTimes = site.feedRequestTimes();
  for (const item of published) item.polledAtMs = feedTimes.get(item.feedPath)?.find((t) => t >= item.publishedAtMs);

  const delivered = published.filter((item) => item.alertAtMs !== undefined);
  const latencies = delivered.map((item) => ((item.alertAtMs as number) - item.publishedAtMs) / 1000);
  const waits = delivered.filter((item) => item.polledAtMs !== undefined).map((item) => ((item.polledAtMs as number) - item.publishedAtMs) / 1000);
  const processing = delivered.filter((item) => item.polledAtMs !== undefined).map((item) => ((item.alertAtMs as number) - (item.polledAtMs as number)) / 1000);
  const stats = (values: number[]) => ({ p50: round(quantile(values, 0.5)), p95: round(quantile(values, 0.95)), max: round(Math.max(...values)) });
  const result = {
    bench: 'time-to-alert',
    mode,
    node: process.version,
    pollSec,
    items,
    delivered: delivered.length,
    missing: published.filter((item) => item.alertAtMs === undefined).map((item) => item.path),
    unexpected,
    latencySec: stats(latencies),
    pollWaitSec: stats(waits),
    processingSec: stats(processing),
    targetSec: pollSec + 2,
    meetsTarget: delivered.length === items && quantile(latencies, 0.95) <= pollSec + 2,
    loadAverage: { start: loadStart, end: load1() },
    latenciesSec: latencies.map((value) => round(value)),
  };
  console.log(
    `${mode}: ${delivered.length}/${items} alerts; publish→alert p50 ${result.latencySec.p50} s, p95 ${result.latencySec.p95} s, max ${result.latencySec.max} s ` +
      `(target p95 ≤ ${pollSec + 2} s: ${result.meetsTarget ? 'met' : 'NOT met'}); wait for the poll p50 ${result.pollWaitSec.p50} / max ${result.pollWaitSec.max} s, ` +
      `poll→alert p50 ${result.processingSec.p50} / p95 ${result.processingSec.p95} / max ${result.processingSec.max} s; ${unexpected.length} unexpected alert(s); load ${loadStart} → ${load1()}`,
  );
  return result;
}

function round(value: number): number {
  return Number(value.toFixed(2));
}

console.log(`machine: ${availableParallelism()} cores, load ${load1()}; ${OUTLETS} feeds polled every ${pollSec} s (cron "*/${pollSec} * * * * *"), fetch.minDelayMs 0, service as a child process (diplowatch run --role all)`);
const modes: ('embedded' | 'redis')[] = modeArg === 'both' ? ['embedded', 'redis'] : [modeArg as 'embedded' | 'redis'];
const results = [];
for (const mode of modes) results.push(await measure(mode));
for (const result of results) console.log(JSON.stringify(result));
