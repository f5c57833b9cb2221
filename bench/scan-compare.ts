/**
 * Side-by-side scan benchmark (`npm run bench:scan`): one generated news site (bench/site/) served from this
 * process, then diplowatch's one-shot scan (bench/scan.ts) and a Crawlee JSDOMCrawler + Readability baseline
 * (bench/crawlee-baseline.ts) over the same feeds, each in its own child process so CPU time and peak RSS are per
 * side and neither pays for serving the site. Both sides judge articles with the same detector and lexicon, so
 * only fetching and extraction differ.
 *
 * `npx tsx bench/scan-compare.ts [--outlets 100] [--articles 20] [--hosts 8] [--seed 1] [--rounds 1]
 *   [--only diplowatch|crawlee] [--cpu-prof DIR]`
 *
 * Pages are rendered and compressed once before the first side runs, so neither side waits for the generator.
 * With `--rounds N` the sides alternate (d c, c d, …) and the medians are compared. `--cpu-prof DIR` writes V8
 * CPU profiles of each child under DIR/<run time>/<side>/ and prints where each side's busy CPU time went.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBenchChild, writeSiteFile } from './site-file.js';
import { startBenchSite, type BenchSiteServer, type BenchSiteStats } from './site/server.js';

type Side = 'diplowatch' | 'crawlee';

/** What one side cost and found in one round. */
interface SideResult {
  side: Side;
  wallMs: number;
  cpuMs: number;
  /** Peak RSS sampled during the pass. */
  peakRssMb: number;
  /** getrusage max RSS of the whole child process. */
  maxRssMb: number;
  loopP99Ms: number;
  pages: number;
  requests: number;
  found: number;
  expected: number;
  falsePositives: number;
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const SCRIPTS: Record<Side, string> = { diplowatch: 'bench/scan.ts', crawlee: 'bench/crawlee-baseline.ts' };

const { values: args } = parseArgs({
  options: {
    outlets: { type: 'string', default: '100' },
    articles: { type: 'string', default: '20' },
    hosts: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});

function positive(name: 'outlets' | 'articles' | 'hosts' | 'seed' | 'rounds'): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`bench: --${name} needs a positive integer`);
  return value;
}

const outlets = positive('outlets');
const articlesPerOutlet = positive('articles');
const hosts = positive('hosts');
const seed = positive('seed');
const rounds = positive('rounds');
const only = args.only;
if (only !== undefined && only !== 'diplowatch' && only !== 'crawlee') throw new Error('bench: --only takes diplowatch or crawlee');
// A folder per run, so profiles of earlier runs are not summed with this one's.
const profileRoot = args['cpu-prof'];
const profileDir = profileRoot && join(profileRoot, new Date().toISOString().replace(/[:.]/g, '-'));

/** Requests every feed and page once, so rendering and gzip happen before any side is measured. */
async function warm(server: BenchSiteServer): Promise<void> {
  const urls = [...server.site.outlets.map((outlet) => server.feedUrl(outlet)), ...server.site.articles.map((article) => server.articleUrl(article))];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++] as string;
      const response = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** diplowatch's numbers: bench/scan.ts's first (cold) scan; its second, quiet scan is not part of the race. */
function diplowatchResult(json: Record<string, unknown>): SideResult {
  const first = json.first as { wallMs: number; cpuMs: number; peakRssMb: number; loopDelayMs: { p99: number }; articleRequests: number; requests: number };
  const onTopic = json.onTopic as { expected: number; found: number; falsePositives: string[] };
  return {
    side: 'diplowatch',
    wallMs: first.wallMs,
    cpuMs: first.cpuMs,
    peakRssMb: first.peakRssMb,
    maxRssMb: json.maxRssMb as number,
    loopP99Ms: first.loopDelayMs.p99,
    pages: first.articleRequests,
    requests: first.requests,
    found: onTopic.found,
    expected: onTopic.expected,
    falsePositives: onTopic.falsePositives.length,
  };
}

function crawleeResult(json: Record<string, unknown>, truth: Set<string>, stats: BenchSiteStats): SideResult {
  const matched = json.matched as string[];
  const loop = json.loopDelayMs as { p99: number };
  return {
    side: 'crawlee',
    wallMs: json.wallMs as number,
    cpuMs: json.cpuMs as number,
    peakRssMb: json.peakRssMb as number,
    maxRssMb: json.maxRssMb as number,
    loopP99Ms: loop.p99,
    pages: stats.articleRequests,
    requests: stats.requests,
    found: matched.filter((url) => truth.has(url)).length,
    expected: truth.size,
    falsePositives: matched.filter((url) => !truth.has(url)).length,
  };
}

type Cost = { name: string; ms: number; share: number };

/** Where a profile's busy time went: self time grouped by package (or src/ folder), and by function. */
async function profileSummary(dir: string, count: number): Promise<{ byModule: Cost[]; byFunction: Cost[] }> {
  type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
  type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  const add = (map: Map<string, number>, key: string, us: number): void => {
    map.set(key, (map.get(key) ?? 0) + us);
  };
  // Every thread's profile counts (the main thread, extraction workers, tsx's loader thread); idle time does not.
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(join(dir, name), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!frame || frame.functionName === '(idle)') return;
      const path = frame.url.replace(/^file:\/\//, '').replace(repoRoot, '');
      // The innermost package: @crawlee/jsdom brings its own jsdom under its node_modules.
      const module = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? /^(src\/[^/]+)/.exec(path)?.[1] ?? (path.startsWith('node:') ? 'node' : frame.functionName);
      add(modules, module, us);
      add(functions, `${frame.functionName || '(anonymous)'} ${path.replace(/^.*node_modules\//, '')}${path ? `:${frame.lineNumber + 1}` : ''}`.trim(), us);
      busy += us;
    });
  }
  const top = (map: Map<string, number>): Cost[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / Math.max(1, busy) }));
  return { byModule: top(modules), byFunction: top(functions) };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function summarize(results: SideResult[]): SideResult | undefined {
  const first = results[0];
  if (!first) return undefined;
  const pick = (key: keyof Omit<SideResult, 'side'>): number => median(results.map((result) => result[key]));
  return {
    side: first.side,
    wallMs: pick('wallMs'),
    cpuMs: pick('cpuMs'),
    peakRssMb: Math.max(...results.map((result) => result.peakRssMb)),
    maxRssMb: Math.max(...results.map((result) => result.maxRssMb)),
    loopP99Ms: pick('loopP99Ms'),
    pages: pick('pages'),
    requests: pick('requests'),
    found: Math.min(...results.map((result) => result.found)),
    expected: first.expected,
    falsePositives: Math.max(...results.map((result) => result.falsePositives)),
  };
}

const row = (r: SideResult): string[] => [
  r.side,
  (r.wallMs / 1000).toFixed(2),
  (r.cpuMs / 1000).toFixed(2),
  (r.cpuMs / Math.max(1, r.pages)).toFixed(1),
  r.peakRssMb.toFixed(0),
  r.maxRssMb.toFixed(0),
  r.loopP99Ms.toFixed(0),
  String(r.pages),
  `${r.found}/${r.expected}`,
  String(r.falsePositives),
];

function printTable(lines: string[][]): void {
  const widths = lines[0]?.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length))) ?? [];
  for (const line of lines) console.log(line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '));
}

const sides: Side[] = only ? [only] : ['diplowatch', 'crawlee'];
const server = await startBenchSite({ outlets, articlesPerOutlet, hosts, seed, now: Date.now() });
const work = await mkdtemp(join(tmpdir(), 'diplowatch-scan-compare-'));
const repoStorage = join(repoRoot, 'storage');
const storageExisted = existsSync(repoStorage);
try {
  const siteFile = join(work, 'site.json');
  const described = await writeSiteFile(siteFile, server, hosts);
  const truth = new Set(described.onTopicUrls);
  await warm(server);
  console.log(`machine: ${availableParallelism()} cores, load average ${(loadavg()[0] ?? 0).toFixed(1)}, node ${process.version}`);
  console.log(`site: ${outlets} outlets × ${articlesPerOutlet} articles = ${described.pages} pages on ${hosts} loopback host(s), ${truth.size} on topic (pre-rendered)`);

  const results: Record<Side, SideResult[]> = { diplowatch: [], crawlee: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternating the order spreads any drift in the machine's load over both sides.
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      server.resetStats();
      const json = await runBenchChild({ script: SCRIPTS[side], siteFile, server, cwd: repoRoot, profileDir: profileDir && join(profileDir, side), storageDir: join(work, 'crawlee-storage') });
      const result = side === 'diplowatch' ? diplowatchResult(json) : crawleeResult(json, truth, server.stats());
      results[side].push(result);
      console.log(`round ${round + 1} ${side}: wall ${(result.wallMs / 1000).toFixed(2)} s, cpu ${(result.cpuMs / 1000).toFixed(2)} s, peak rss ${result.peakRssMb.toFixed(0)} MB, on topic ${result.found}/${result.expected}`);
    }
  }

  const dw = summarize(results.diplowatch);
  const cr = summarize(results.crawlee);
  console.log(rounds > 1 ? `\nmedians over ${rounds} rounds (peak RSS: highest; on topic: worst):` : '');
  printTable([
    ['side', 'wall s', 'cpu s', 'cpu ms/page', 'peak rss MB', 'max rss MB', 'loop p99 ms', 'pages', 'on topic', 'false +'],
    ...[dw, cr].filter((r): r is SideResult => r !== undefined).map(row),
  ]);
  let ratios: { wall: number; cpu: number } | undefined;
  if (dw && cr) {
    ratios = { wall: cr.wallMs / dw.wallMs, cpu: cr.cpuMs / dw.cpuMs };
    console.log(`baseline / diplowatch: wall ${ratios.wall.toFixed(2)}×, cpu ${ratios.cpu.toFixed(2)}×`);
    const verdicts = [
      `${ratios.wall >= 2 ? 'met' : 'NOT met'}: diplowatch at least 2× faster than the baseline (wall)`,
      `${dw.found === dw.expected ? 'met' : 'NOT met'}: every on-topic article found (${dw.found}/${dw.expected})`,
      `${dw.maxRssMb < 400 ? 'met' : 'NOT met'}: diplowatch under 400 MB (max RSS ${dw.maxRssMb.toFixed(0)} MB)`,
    ];
    for (const verdict of verdicts) console.log(`target ${verdict}`);
  }

  const profiles: Partial<Record<Side, { byModule: Cost[]; byFunction: Cost[] }>> = {};
  if (profileDir) {
    const line = (cost: Cost): string => `  ${(cost.share * 100).toFixed(1).padStart(5)}%  ${cost.ms.toFixed(0).padStart(7)} ms  ${cost.name}`;
    for (const side of sides) {
      const summary = await profileSummary(join(profileDir, side), 15);
      profiles[side] = summary;
      console.log(`\n${side}: busy CPU time by module, then by function (profiles in ${resolve(profileDir, side)})`);
      for (const cost of summary.byModule) console.log(line(cost));
      console.log('');
      for (const cost of summary.byFunction) console.log(line(cost));
    }
  }
  console.log(JSON.stringify({ bench: 'scan-compare', node: process.version, cores: availableParallelism(), outlets, articlesPerOutlet, hosts, seed, rounds, pages: described.pages, diplowatch: dw, crawlee: cr, ratios, perRound: results, profiles }));
} finally {
  await server.close();
  await rm(work, { recursive: true, force: true });
  if (!storageExisted && existsSync(repoStorage)) console.error('bench: Crawlee left ./storage behind; remove it and check the baseline configuration');
}

