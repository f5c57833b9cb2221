/**
 * Scale benchmark: `npx tsx bench/scale.ts [--sources 10000] [--period 300] [--duration 600] [--workers 2] [--hosts 32]
 * [--publish-every 2] [--max-age-minutes 30] [--grace 30] [--seed 1]`.
 *
 * Serves `--sources` feeds from the bench site (one outlet each, spread over `--hosts` loopback addresses) and runs
 * the service in redis mode as separate processes: one `--role scheduler` and `--workers` × `--role worker`, on db
 * 10 of the local Redis under a fresh prefix (deleted afterwards). Each source is polled every `--period` seconds on
 * a 6-field cron whose slot is staggered over the period (source i at second ⌊i·period/sources⌋ of it). Feeds
 * answer 304 once polled; their items are older than `--max-age-minutes` except about 1% of them and one new
 * article published every `--publish-every` seconds, so a trickle of pages goes through extraction.
 *
 * Reports, for the window of `--duration` seconds after the scheduler starts:
 * - ticks: every (source, slot) in the window is looked up by its discover job id in Redis (enqueued? done?), and
 *   the site's request log gives feed requests per source against slots + 1 (the poll at start-up);
 * - lateness of each tick: enqueued, started and finished, in ms after its slot;
 * - CPU% and RSS of each process (from /proc every 5 s), the bench process's own CPU (it serves the site);
 * - queue depths every 5 s; Redis `used_memory` before and after, and the memory of this run's keys.
 * Prints readable lines, then one JSON line with every number.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue as BullQueue } from 'bullmq';
import { Redis } from 'ioredis';
import { startWebhookReceiver } from '../src/demo/receiver.js';
import { discoverJobId } from '../src/queue/scheduler.js';
import { createRandom } from './site/random.js';
import { startBenchSite } from './site/server.js';
import {
  BENCH_REDIS_URL,
  BENCH_SECRET,
  deleteRedisPrefix,
  load1,
  numberArg,
  processUsage,
  quantile,
  sleep,
  startServiceProcess,
  writeBenchConfig,
  type ServiceProcess,
} from './site/service-process.js';

const sourcesCount = numberArg('sources', 10_000, 1);
const periodSec = numberArg('period', 300, 1);
const durationSec = numberArg('duration', 600, 10);
const workers = numberArg('workers', 2, 1);
const hosts = numberArg('hosts', 32, 1);
const publishEverySec = numberArg('publish-every', 2, 0);
const maxAgeMinutes = numberArg('max-age-minutes', 30, 1);
const graceSec = numberArg('grace', 30, 0);
const seed = numberArg('seed', 1);
const SAMPLE_MS = 5_000;

if (3600 % periodSec !== 0 || (periodSec > 60 && periodSec % 60 !== 0) || (periodSec < 60 && 60 % periodSec !== 0)) {
  throw new Error('bench: --period must divide 60, or be whole minutes dividing an hour (e.g. 10, 30, 60, 300, 600)');
}

/** Second of the period at which source `i` is polled. */
const offsetOf = (i: number): number => Math.floor((i * periodSec) / sourcesCount);

/** A 6-field cron firing at `offset` seconds into every period (periods are aligned on the hour). */
function cronFor(offset: number): string {
  if (periodSec <= 60) {
    const seconds = Array.from({ length: 60 / periodSec }, (_, k) => offset + k * periodSec);
    return `${seconds.join(',')} * * * * *`;
  }
  const step = periodSec / 60;
  const minutes = Array.from({ length: 60 / step }, (_, k) => Math.floor(offset / 60) + k * step);
  return `${offset % 60} ${minutes.join(',')} * * * *`;
}

/** Slots (epoch seconds) of source `i` in [fromSec, toSec). */
function slotsOf(i: number, fromSec: number, toSec: number): number[] {
  const offset = offsetOf(i);
  const first = fromSec + ((((offset - fromSec) % periodSec) + periodSec) % periodSec);
  const slots: number[] = [];
  for (let t = first; t < toSec; t += periodSec) slots.push(t);
  return slots;
}

const stats = (values: number[]) => ({ n: values.length, p50: quantile(values, 0.5), p95: quantile(values, 0.95), p99: quantile(values, 0.99), max: values.length ? Math.max(...values) : Number.NaN });

const generationStarted = Date.now();
const site = await startBenchSite({ outlets: sourcesCount, articlesPerOutlet: 1, seed, now: Date.now(), hosts, logFeedRequests: true, feedItems: 20 });
const generationSec = (Date.now() - generationStarted) / 1000;
const receiver = await startWebhookReceiver(BENCH_SECRET);
const dir = await mkdtemp(join(tmpdir(), 'diplowatch-bench-scale-'));
const prefix = `dwbench:scale:${randomBytes(4).toString('hex')}`;
const configPath = join(dir, 'diplowatch.yaml');
// The scheduler logs at info (its start-up line marks the window); workers at warn, so 10,000 polls write no lines.
const schedulerConfigPath = join(dir, 'scheduler.yaml');
for (const [path, logLevel] of [[configPath, 'warn'], [schedulerConfigPath, 'info']] as const) {
  await writeBenchConfig(path, {
    sources: site.site.outlets.map((outlet, i) => ({ id: outlet.id, name: outlet.name, feed: site.feedUrl(outlet), schedule: cronFor(offsetOf(i)), maxAgeDays: maxAgeMinutes / 1440 })),
    webhookUrl: receiver.url,
    stateDir: join(dir, 'state'),
    redis: { url: BENCH_REDIS_URL, prefix },
    logLevel,
  });
}

const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 3 });
const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
const memoryBefore = await usedMemory();
const queues = (['discover', 'article', 'alert'] as const).map((name) => new BullQueue(name, { connection: redis, prefix }));

console.log(
  `machine: ${availableParallelism()} cores, load ${load1()}; ${sourcesCount} sources every ${periodSec} s on ${hosts} loopback hosts (site generated in ${generationSec.toFixed(1)} s), ` +
    `1 scheduler + ${workers} worker process(es), redis ${BENCH_REDIS_URL} prefix ${prefix}, fetch.minDelayMs 0, ${durationSec} s window; logs in ${dir}`,
);

const processes: { role: string; service: ServiceProcess; samples: { t: number; cpuMs: number; rssBytes: number }[] }[] = [];
for (let w = 0; w < workers; w++) processes.push({ role: `worker-${w + 1}`, service: startServiceProcess(configPath, { role: 'worker', logPath: join(dir, `worker-${w + 1}.log`) }), samples: [] });
// Workers first, so the start-up poll of every source finds consumers.
await sleep(5_000);
const spawnedAt = Date.now();
const schedulerLog = join(dir, 'scheduler.log');
processes.unshift({ role: 'scheduler', service: startServiceProcess(schedulerConfigPath, { role: 'scheduler', logPath: schedulerLog }), samples: [] });
// The window opens once the scheduler has scheduled every source and enqueued the start-up poll.
while (!(await readFile(schedulerLog, 'utf8').catch(() => '')).includes('scheduler started')) {
  if (Date.now() - spawnedAt > 300_000) throw new Error(`bench: the scheduler did not start within 5 minutes; see ${schedulerLog}`);
  await sleep(200);
}
const windowStartMs = Date.now();
const schedulerStartSec = (windowStartMs - spawnedAt) / 1000;
const windowStartSec = Math.ceil(windowStartMs / 1000);
const windowEndSec = windowStartSec + durationSec;
const benchCpuStart = process.cpuUsage();

const depths: { t: number; discover: number; article: number; alert: number; memory: number }[] = [];
const random = createRandom(seed, 0x5ca1e);
let published = 0;
const publisher =
  publishEverySec > 0
    ? setInterval(() => {
        site.publish(random.pick(site.site.outlets), { onTopic: random.chance(0.05), ordinal: published % 70 });
        published += 1;
      }, publishEverySec * 1000)
    : undefined;

let lastPrint = 0;
try {
  while (Date.now() < windowEndSec * 1000) {
    const t = Math.round((Date.now() - windowStartMs) / 1000);
    for (const entry of processes) {
      const usage = await processUsage(entry.service.pid);
      if (usage) entry.samples.push({ t, ...usage });
      if (entry.service.child.exitCode !== null) throw new Error(`bench: ${entry.role} exited with ${entry.service.child.exitCode}; see ${dir}`);
    }
    const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children')));
    const waiting = counts.map((c) => Object.values(c).reduce((sum, n) => sum + n, 0));
    depths.push({ t, discover: waiting[0] ?? 0, article: waiting[1] ?? 0, alert: waiting[2] ?? 0, memory: await usedMemory() });
    if (t - lastPrint >= 30) {
      lastPrint = t;
      const usage = processes.map((entry) => `${entry.role} ${((entry.samples.at(-1)?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB`).join(', ');
      console.log(`t=${t}s queued discover ${waiting[0]} article ${waiting[1]} alert ${waiting[2]}; feed requests ${site.stats().feedRequests}; ${usage}; redis ${((depths.at(-1)?.memory ?? 0) / 2 ** 20).toFixed(1)} MB; load ${load1()}`);
    }
    await sleep(Math.min(SAMPLE_MS, Math.max(0, windowEndSec * 1000 - Date.now())));
  }
} finally {
  if (publisher) clearInterval(publisher);
}
const benchCpu = process.cpuUsage(benchCpuStart);
// Ticks of the last seconds of the window still run; they count once done.
await sleep(graceSec * 1000);

// Ticks: every (source, slot) of the window, by its discover job id.
const keys: { source: number; slot: number; key: string }[] = [];
site.site.outlets.forEach((outlet, i) => {
  for (const slot of slotsOf(i, windowStartSec, windowEndSec)) keys.push({ source: i, slot, key: `${prefix}:discover:${discoverJobId(outlet.id, new Date(slot * 1000), true)}` });
});
const steadyStartLag: number[] = [];
const steadyFromSec = windowStartSec + periodSec;
const enqueueLag: number[] = [];
const startLag: number[] = [];
const doneLag: number[] = [];
let notEnqueued = 0;
let notFinished = 0;
let failed = 0;
const missedExamples: string[] = [];
for (let at = 0; at < keys.length; at += 5_000) {
  const chunk = keys.slice(at, at + 5_000);
  const pipeline = redis.pipeline();
  for (const entry of chunk) pipeline.hmget(entry.key, 'timestamp', 'processedOn', 'finishedOn', 'failedReason');
  const answers = (await pipeline.exec()) ?? [];
  chunk.forEach((entry, k) => {
    const [timestamp, processedOn, finishedOn, failedReason] = (answers[k]?.[1] ?? []) as (string | null)[];
    const slotMs = entry.slot * 1000;
    if (!timestamp) {
      notEnqueued += 1;
      if (missedExamples.length < 5) missedExamples.push(entry.key);
      return;
    }
    enqueueLag.push(Number(timestamp) - slotMs);
    if (processedOn) startLag.push(Number(processedOn) - slotMs);
    if (processedOn && entry.slot >= steadyFromSec) steadyStartLag.push(Number(processedOn) - slotMs);
    if (failedReason) failed += 1;
    if (finishedOn) doneLag.push(Number(finishedOn) - slotMs);
    else notFinished += 1;
  });
}

// Feed requests per source, from the site's log: each slot of the window should see a request within a period.
const feedTimes = site.feedRequestTimes();
let slotsFetched = 0;
let slotsNotFetched = 0;
let sourcesShort = 0;
let requestsSinceSpawn = 0;
site.site.outlets.forEach((outlet, i) => {
  // From the spawn: the start-up poll begins while the scheduler is still enqueueing it.
  const requests = (feedTimes.get(outlet.feedPath) ?? []).filter((t) => t >= spawnedAt);
  requestsSinceSpawn += requests.length;
  let next = 0;
  let short = false;
  for (const slot of slotsOf(i, windowStartSec, windowEndSec)) {
    const slotMs = slot * 1000;
    while (next < requests.length && (requests[next] as number) < slotMs) next += 1;
    if (next < requests.length && (requests[next] as number) < slotMs + periodSec * 1000) {
      slotsFetched += 1;
      next += 1;
    } else {
      slotsNotFetched += 1;
      short = true;
    }
  }
  if (short) sourcesShort += 1;
});
const firstPolls = site.site.outlets.map((outlet) => (feedTimes.get(outlet.feedPath) ?? []).find((t) => t >= spawnedAt));
const startupPollSec = firstPolls.every((t) => t !== undefined) ? (Math.max(...(firstPolls as number[])) - spawnedAt) / 1000 : Number.NaN;

// node-cron drops a tick whose timer fires more than its tolerance late, with a "missed execution" warning.
const missedExecutionWarnings = ((await readFile(schedulerLog, 'utf8').catch(() => '')).match(/missed execution/g) ?? []).length;
const extraExamples = site.site.outlets
  .map((outlet, i) => ({ id: outlet.id, slots: slotsOf(i, windowStartSec, windowEndSec).map((t) => t * 1000 - windowStartMs), requests: (feedTimes.get(outlet.feedPath) ?? []).filter((t) => t >= spawnedAt).map((t) => t - windowStartMs) }))
  .filter((entry) => entry.requests.length > entry.slots.length + 2)
  .slice(0, 3);

// Redis: the whole server's used_memory, and this run's keys alone.
const memoryAfter = await usedMemory();
let prefixBytes = 0;
let prefixKeys = 0;
let cursor = '0';
do {
  const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
  cursor = next;
  if (found.length === 0) continue;
  const pipeline = redis.pipeline();
  for (const key of found) pipeline.memory('USAGE', key);
  for (const [, bytes] of (await pipeline.exec()) ?? []) prefixBytes += Number(bytes ?? 0);
  prefixKeys += found.length;
} while (cursor !== '0');

const perProcess = processes.map((entry) => {
  const inWindow = entry.samples.filter((s) => s.t <= durationSec);
  const first = inWindow[0];
  const last = inWindow.at(-1);
  const steady = inWindow.filter((s) => s.t >= Math.min(periodSec, durationSec / 2));
  const cpuPercent = (a: typeof first, b: typeof last): number => (a && b && b.t > a.t ? (100 * (b.cpuMs - a.cpuMs)) / ((b.t - a.t) * 1000) : Number.NaN);
  return {
    role: entry.role,
    cpuPercent: round(cpuPercent({ t: 0, cpuMs: 0, rssBytes: 0 }, last)),
    cpuPercentAfterFirstPeriod: round(cpuPercent(steady[0], steady.at(-1))),
    cpuSeconds: round((last?.cpuMs ?? 0) / 1000),
    rssMb: { end: round((last?.rssBytes ?? 0) / 2 ** 20), max: round(Math.max(...inWindow.map((s) => s.rssBytes)) / 2 ** 20) },
  };
});
const maxDepth = (name: 'discover' | 'article' | 'alert'): number => Math.max(...depths.map((d) => d[name]));
const summary = {
  bench: 'scale',
  node: process.version,
  sources: sourcesCount,
  periodSec,
  durationSec,
  workers,
  hosts,
  publishEverySec,
  published,
  ticks: {
    expected: keys.length,
    enqueued: keys.length - notEnqueued,
    notEnqueued,
    finished: doneLag.length,
    notFinished,
    failed,
    missedExamples,
    enqueueLagMs: stats(enqueueLag),
    startLagMs: stats(startLag),
    startLagAfterFirstPeriodMs: stats(steadyStartLag),
    doneLagMs: stats(doneLag),
    doneWithinPeriod: doneLag.filter((lag) => lag < periodSec * 1000).length,
  },
  schedulerStartSec: round(schedulerStartSec),
  missedExecutionWarnings,
  extraExamples,
  feedRequests: { slotsFetched, slotsNotFetched, sourcesShort, requestsSinceSpawn, startupPollAllSourcesSec: round(startupPollSec) },
  site: site.stats(),
  processes: perProcess,
  benchProcessCpuPercent: round((100 * (benchCpu.user + benchCpu.system)) / 1000 / (durationSec * 1000)),
  queueDepth: { maxDiscover: maxDepth('discover'), maxArticle: maxDepth('article'), maxAlert: maxDepth('alert'), samples: depths.map((d) => [d.t, d.discover, d.article, d.alert]) },
  redis: { usedMemoryBeforeMb: round(memoryBefore / 2 ** 20), usedMemoryAfterMb: round(memoryAfter / 2 ** 20), maxUsedMemoryMb: round(Math.max(...depths.map((d) => d.memory)) / 2 ** 20), prefixKeys, prefixMb: round(prefixBytes / 2 ** 20) },
  alertsReceived: receiver.received.length,
  loadAverage: { end: load1() },
};

const ms = (s: ReturnType<typeof stats>): string => `p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} / max ${s.max} ms`;
console.log(`ticks in window: ${summary.ticks.expected} expected, ${summary.ticks.enqueued} enqueued (${notEnqueued} missed), ${doneLag.length} finished, ${failed} failed, ${summary.ticks.doneWithinPeriod} done within the period`);
console.log(`  scheduler ready ${round(schedulerStartSec)} s after spawn; ${missedExecutionWarnings} node-cron "missed execution" warning(s) in its log`);
for (const example of extraExamples) console.log(`  extra requests: ${example.id} slots at ${example.slots.join(', ')} ms, requests at ${example.requests.join(', ')} ms (from window start)`);
console.log(`  enqueued after slot: ${ms(summary.ticks.enqueueLagMs)}`);
console.log(`  started after slot:  ${ms(summary.ticks.startLagMs)}`);
console.log(`  started after slot, slots after the first period: ${ms(summary.ticks.startLagAfterFirstPeriodMs)}`);
console.log(`  finished after slot: ${ms(summary.ticks.doneLagMs)}`);
console.log(`site log: ${slotsFetched} of ${keys.length} slots saw a feed request within a period after the slot (${slotsNotFetched} did not, over ${sourcesShort} source(s)); ${requestsSinceSpawn} feed requests since the spawn; every source polled once ${summary.feedRequests.startupPollAllSourcesSec} s after the spawn; ${summary.site.notModified} × 304`);
for (const p of perProcess) console.log(`${p.role}: CPU ${p.cpuPercent}% of one core over the window (${p.cpuPercentAfterFirstPeriod}% after the first period), ${p.cpuSeconds} s; RSS end ${p.rssMb.end} MB, max ${p.rssMb.max} MB`);
console.log(`bench process (serves the site): CPU ${summary.benchProcessCpuPercent}%`);
console.log(`queues: max waiting discover ${summary.queueDepth.maxDiscover}, article ${summary.queueDepth.maxArticle}, alert ${summary.queueDepth.maxAlert}`);
console.log(`redis used_memory ${summary.redis.usedMemoryBeforeMb} → ${summary.redis.usedMemoryAfterMb} MB (max ${summary.redis.maxUsedMemoryMb}); this run's ${prefixKeys} keys use ${summary.redis.prefixMb} MB`);
console.log(JSON.stringify(summary));

await Promise.all(processes.map((entry) => entry.service.stop()));
await Promise.all(queues.map((queue) => queue.close()));
redis.disconnect();
const deleted = await deleteRedisPrefix(BENCH_REDIS_URL, prefix);
console.log(`cleaned up ${deleted} Redis keys`);
await receiver.close();
await site.close();
await rm(dir, { recursive: true, force: true });

function round(value: number): number {
  return Number(value.toFixed(1));
}
