/**
 * Story assignment against a full store: the time to assign one article (findStoryCandidates + assignStory +
 * saveStory under withStoryLock, as src/jobs/article.ts does it) with 10k, 100k, 1M stored articles, in Redis and
 * embedded mode, and the memory each stored article costs.
 *
 *   npx tsx bench/assign-store.ts [--sizes 10000,100000,1000000] [--mode redis|embedded|both] [--samples 300]
 *                                 [--per-day 300] [--redis-url redis://127.0.0.1:6379/0]
 *
 * The stored articles are synthetic: generated texts fingerprinted with the real `fingerprint()`, grouped in
 * stories of 1–3 articles about a few actors and states, published at `--per-day` articles a day back from now.
 * A bigger store is therefore a longer history at the same rate, which is how a store grows in service (the
 * story window, 7 days, always holds about the same number of stories). Heap figures are exact only when node
 * runs with --expose-gc (`NODE_OPTIONS=--expose-gc`); 1M embedded needs `--max-old-space-size` of several GB.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { EventSignature, EventType } from '../src/detect/types.js';
import { assignStory } from '../src/stories/assign.js';
import { fingerprint } from '../src/stories/fingerprint.js';
import type { Assignment, Story, StoredArticle, TextFingerprint } from '../src/stories/types.js';
import { createFileStore } from '../src/store/file-store.js';
import { createRedisStore } from '../src/store/redis-store.js';
import type { Store } from '../src/store/store.js';

const DAY_MS = 86_400_000;
const WINDOW_DAYS = 7;
const OPTIONS = { windowDays: WINDOW_DAYS, similarityThreshold: 0.7 };

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    mode: { type: 'string', default: 'both' },
    samples: { type: 'string', default: '300' },
    'per-day': { type: 'string', default: '300' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
  },
});
const sizes = args.sizes.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const samples = Number(args.samples);
const perDay = Number(args['per-day']);

/** Deterministic PRNG (mulberry32), so two runs store the same data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SYLLABLES = ['ra', 'is', 'ca', 'ma', 'du', 'ro', 'te', 'he', 'ran', 'or', 'te', 'ga', 'cu', 'ba', 'ha', 'va', 'na', 'min', 'is', 'ter', 'pact', 'oil', 'gas', 'vis', 'it', 'trade', 'sanc', 'tion', 'port', 'deal'];
const WORDS = (() => {
  const random = prng(7);
  return Array.from({ length: 6000 }, () => {
    let word = '';
    const length = 2 + Math.floor(random() * 3);
    for (let i = 0; i < length; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    return word;
  });
})();

const ACTORS = ['Ebrahim Raisi', 'Hossein Amir-Abdollahian', 'Abbas Araghchi', 'Javad Owji', 'Mohsen Rezaei', 'Masoud Pezeshkian', 'Mohammad-Reza Ashtiani'];
/** Weighted like the real coverage: most stories are about Venezuela, Cuba and Nicaragua. */
const STATES = ['Venezuela', 'Venezuela', 'Venezuela', 'Cuba', 'Cuba', 'Nicaragua', 'Nicaragua', 'Bolivia', 'Brazil', 'Argentina', 'Mexico', 'Colombia', 'Ecuador', 'Peru', 'Chile', 'Uruguay'];
const PLACES: Record<string, string> = { Venezuela: 'Caracas', Cuba: 'Havana', Nicaragua: 'Managua', Bolivia: 'La Paz', Brazil: 'Brasilia', Argentina: 'Buenos Aires' };
const TYPES: EventType[] = ['visit', 'meeting', 'agreement', 'call', 'statement'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** About 120 words: the length of a short wire story's first paragraphs, enough for distinct 5-word shingles. */
function text(random: () => number): string {
  return Array.from({ length: 120 }, () => pick(random, WORDS)).join(' ');
}

/** The same text with a few words replaced: a wire copy with small edits. */
function edited(original: string, random: () => number): string {
  const words = original.split(' ');
  for (let i = 0; i < 3; i++) words[Math.floor(random() * words.length)] = pick(random, WORDS);
  return words.join(' ');
}

/**
 * Most stories name one of the well-known actors; the rest a lesser official (deputy ministers, envoys), so a new
 * article about another official starts a story instead of joining a random one.
 */
function signature(random: () => number): EventSignature {
  const state = pick(random, STATES);
  const states = random() < 0.3 ? [state, pick(random, STATES)] : [state];
  const actor = random() < 0.5 ? pick(random, ACTORS) : `Envoy ${Math.floor(random() * 100_000)}`;
  const result: EventSignature = { iranActors: [actor], latamStates: [...new Set(states)], eventType: pick(random, TYPES) };
  const place = PLACES[state];
  if (place !== undefined && random() < 0.6) result.place = place;
  return result;
}

interface Generated {
  story: Story;
  stored: StoredArticle[];
}

/** One synthetic story with 1–3 articles published around `at`; realistic sizes for titles, URLs and reasons. */
function generateStory(index: number, at: number, random: () => number): Generated {
  const count = 1 + Math.floor(random() * 3);
  const sig = signature(random);
  const first = text(random);
  const texts = [first, ...Array.from({ length: count - 1 }, () => (random() < 0.5 ? edited(first, random) : text(random)))];
  const id = `st_${index.toString(16).padStart(16, '0')}`;
  const iso = (offset: number) => new Date(at + offset * 3_600_000).toISOString();
  const articles = texts.map((_t, i) => ({
    url: `https://outlet${i}.example/world/${new Date(at).toISOString().slice(0, 10)}/story-${index}-${i}`,
    canonicalUrl: `https://outlet${i}.example/world/${new Date(at).toISOString().slice(0, 10)}/story-${index}-${i}`,
    title: `${sig.iranActors[0]} and ${sig.latamStates[0]} officials discuss cooperation (${index}/${i})`,
    outlet: `Outlet ${i}`,
    publishedAt: iso(i),
    addedAt: iso(i),
    joinReason: i === 0 ? 'first report' : 'same event: synthetic',
  }));
  const head = articles[0]!;
  const story: Story = {
    id,
    title: head.title,
    url: head.url,
    outlet: head.outlet,
    publishedAt: head.publishedAt,
    score: 0.8,
    reasons: [`${sig.iranActors[0]} arrived in ${sig.place ?? sig.latamStates[0]} on an official visit to sign cooperation agreements`, `talks with ${sig.latamStates[0]}'s foreign minister`],
    signature: sig,
    articles,
    createdAt: head.addedAt,
    updatedAt: articles[articles.length - 1]!.addedAt,
  };
  const stored = texts.map((t, i): StoredArticle => ({ storyId: id, url: articles[i]!.canonicalUrl, publishedAt: articles[i]!.publishedAt, fingerprint: fingerprint(t) }));
  return { story, stored };
}

/** The store gave up while being filled: how far it got. */
class FillError extends Error {
  constructor(
    readonly stored: number,
    cause: unknown,
  ) {
    super(`failed after ${stored} articles: ${cause instanceof Error ? cause.message.slice(0, 100) : String(cause)}`, { cause });
  }
}

/** Fills the store with about `size` articles, published at `perDay` a day back from `now`; returns the count. */
async function fill(store: Store, size: number, now: number, progress: (done: number) => void): Promise<number> {
  const random = prng(size);
  const spanMs = (size / perDay) * DAY_MS;
  let articles = 0;
  let index = 0;
  // Many saves in flight at once: ioredis writes them back to back on one connection (a pipeline in effect).
  const inFlight = 64;
  while (articles < size) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < inFlight && articles < size; i++) {
      const at = now - spanMs * (articles / size) - 4 * 3_600_000;
      const { story, stored } = generateStory(index++, at, random);
      articles += stored.length;
      batch.push((async () => {
        for (const article of stored) await store.saveStory(story, article);
      })());
    }
    try {
      await Promise.all(batch);
    } catch (err) {
      throw new FillError(articles, err);
    }
    if (index % 5000 < inFlight) progress(articles);
  }
  return articles;
}

interface Timing {
  p50: number;
  p95: number;
  meanCandidates: number;
  kinds: Record<Assignment['kind'], number>;
}

/** Assigns `samples` new articles the way the article job does, timing each locked section. */
async function timeAssignments(store: Store, now: number): Promise<Timing> {
  const random = prng(424242);
  const times: number[] = [];
  let candidatesSeen = 0;
  const kinds: Record<Assignment['kind'], number> = { created: 0, updated: 0, duplicate: 0 };
  let previous: { text: string; signature: EventSignature } | undefined;
  for (let i = 0; i < samples; i++) {
    // A third of the samples are edited copies of the article before, so the `updated` path is timed as well.
    const copy = previous !== undefined && i % 3 === 2;
    const body = copy && previous ? edited(previous.text, random) : text(random);
    const sig = copy && previous ? previous.signature : signature(random);
    previous = { text: body, signature: sig };
    const print: TextFingerprint = fingerprint(body);
    const at = new Date(now + i * 1000).toISOString();
    const url = `https://sample.example/news/${i}`;
    const start = performance.now();
    const assignment = await store.withStoryLock(async () => {
      const candidates = await store.findStoryCandidates(print, sig, new Date(now - WINDOW_DAYS * DAY_MS).toISOString());
      candidatesSeen += candidates.length;
      const decided = assignStory(
        { url, canonicalUrl: url, title: `Sample ${i}`, outlet: 'Sample', publishedAt: at, score: 0.8, reasons: [], signature: sig, fingerprint: print },
        candidates,
        OPTIONS,
        at,
      );
      if (decided.kind !== 'duplicate') await store.saveStory(decided.story, { storyId: decided.story.id, url, publishedAt: at, fingerprint: print });
      return decided;
    });
    times.push(performance.now() - start);
    kinds[assignment.kind]++;
  }
  times.sort((a, b) => a - b);
  const quantile = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: quantile(0.5), p95: quantile(0.95), meanCandidates: candidatesSeen / samples, kinds };
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

const rows: string[] = [];
const log = (line: string) => console.log(line);
const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const describe = (t: Timing) =>
  `p50 ${t.p50.toFixed(2).padStart(7)} ms  p95 ${t.p95.toFixed(2).padStart(7)} ms  candidates/assign ${t.meanCandidates.toFixed(1).padStart(6)}  ${t.kinds.created} created ${t.kinds.updated} updated`;

async function benchRedis(size: number): Promise<void> {
  const prefix = `dwbench:assign:${process.pid}:${size}`;
  const admin = new Redis(args['redis-url'], { maxRetriesPerRequest: 3 });
  const store = await createRedisStore({ url: args['redis-url'], prefix, retentionDays: 3650 });
  try {
    const now = Date.now();
    const before = await usedMemory(admin);
    const started = performance.now();
    const count = await fill(store, size, now, (done) => process.stderr.write(`\rredis ${size}: ${done} articles stored, ${elapsed(started)}   `));
    process.stderr.write('\n');
    const after = await usedMemory(admin);
    log(`redis ${size}: filled ${count} articles in ${elapsed(started)}; used_memory +${((after - before) / 1e6).toFixed(0)} MB`);
    const timing = await timeAssignments(store, now);
    rows.push(`redis     ${String(count).padStart(8)}  ${describe(timing)}  memory/article ${((after - before) / count).toFixed(0)} B (used_memory)`);
    log(rows[rows.length - 1] ?? '');
  } finally {
    await store.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  }
}

async function benchEmbedded(size: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-assign-store-'));
  // Writes are left to explicit flushes: a flush rewrites the whole stories file, timed separately below.
  const store = await createFileStore({ dir, retentionDays: 3650, flushDelayMs: 2_147_483_647 });
  try {
    const now = Date.now();
    collect();
    // Typed arrays keep their bytes outside the JS heap: count those too.
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const started = performance.now();
    const count = await fill(store, size, now, (done) => process.stderr.write(`\rembedded ${size}: ${done} articles stored, ${elapsed(started)}   `));
    process.stderr.write('\n');
    collect();
    const heap = used() - before;
    log(`embedded ${size}: filled ${count} articles in ${elapsed(started)}; heap +${(heap / 1e6).toFixed(0)} MB`);
    let fileNote: string;
    const flushStart = performance.now();
    try {
      await store.flush();
      const bytes = (await stat(join(dir, 'stories.json'))).size;
      fileNote = `file ${(bytes / count).toFixed(0)} B/article, one flush ${(performance.now() - flushStart).toFixed(0)} ms`;
    } catch (err) {
      fileNote = `flush failed after ${(performance.now() - flushStart).toFixed(0)} ms: ${err instanceof Error ? err.message.slice(0, 80) : String(err)}`;
    }
    const timing = await timeAssignments(store, now);
    rows.push(`embedded  ${String(count).padStart(8)}  ${describe(timing)}  memory/article ${(heap / count).toFixed(0)} B heap+buffers, ${fileNote}`);
    log(rows[rows.length - 1] ?? '');
  } finally {
    await store.close().catch((err: unknown) => log(`embedded ${size}: close failed: ${err instanceof Error ? err.message.slice(0, 80) : String(err)}`));
    await rm(dir, { recursive: true, force: true });
  }
}

if (!(globalThis as { gc?: unknown }).gc) log('note: run with NODE_OPTIONS=--expose-gc for exact heap figures');
log(`per-day ${perDay} articles (a ${WINDOW_DAYS}-day window holds ~${perDay * WINDOW_DAYS}); ${samples} timed assignments per size`);
/** Runs one size; a store that cannot hold it gets a row saying where it stopped instead of ending the run. */
async function attempt(mode: string, size: number, run: (size: number) => Promise<void>): Promise<void> {
  try {
    await run(size);
  } catch (err) {
    if (!(err instanceof FillError)) throw err;
    rows.push(`${mode.padEnd(9)} ${String(size).padStart(8)}  ${err.message}`);
    log(rows[rows.length - 1] ?? '');
  }
}

for (const size of sizes) {
  if (args.mode === 'redis' || args.mode === 'both') await attempt('redis', size, benchRedis);
  if (args.mode === 'embedded' || args.mode === 'both') await attempt('embedded', size, benchEmbedded);
}
log('\nmode      articles  assignment time per article');
for (const row of rows) log(row);
