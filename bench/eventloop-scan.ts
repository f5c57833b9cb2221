/**
 * Event-loop health during a scan: `npx tsx bench/eventloop-scan.ts [--outlets 100] [--articles 5] [--hosts 8] [--rounds 1]`.
 * Serves the generated news site (bench/site/) from a child process, warmed up, so serving it costs this process nothing,
 * then scans it with extraction in the worker pool (the default) and with `extract.workers: 0` (in the main
 * thread), each from empty state, measuring event-loop delay (p50/p99/max, `monitorEventLoopDelay`) and pages
 * per second. The target: p99 under 50 ms with the pool. Prints one line per scan, then one JSON line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createLogger } from '../src/log.js';
import { runScan } from '../src/scan.js';
import { startBenchSite } from './site/server.js';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`bench: --${name} needs a positive integer`);
  return value;
}

const outlets = numberArg('outlets', 100);
const articlesPerOutlet = numberArg('articles', 5);
const hosts = numberArg('hosts', 8);
const rounds = numberArg('rounds', 1);

/** What the serving child tells the parent. */
interface SiteReady {
  feeds: { id: string; name: string; url: string }[];
  pages: number;
}

if (process.argv.includes('--serve-site')) {
  // Child role: serve the site until the parent disconnects.
  const site = await startBenchSite({ outlets, articlesPerOutlet, hosts, seed: 1, now: Date.now() });
  // The site renders (and gzips) each page on its first request; warm it so neither measured scan pays for that.
  const urls = [...site.site.outlets.map((outlet) => site.feedUrl(outlet)), ...site.site.articles.map((article) => site.articleUrl(article))];
  for (const url of urls) await (await fetch(url, { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer();
  site.resetStats();
  const ready: SiteReady = {
    feeds: site.site.outlets.map((outlet) => ({ id: outlet.id, name: outlet.name, url: site.feedUrl(outlet) })),
    pages: site.site.articles.length,
  };
  process.send?.(ready);
  process.on('disconnect', () => void site.close().then(() => process.exit(0)));
} else {
  await main();
}

function startSiteProcess(): Promise<{ child: ChildProcess; ready: SiteReady }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-site', ...process.argv.slice(2)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, ready: message as SiteReady }));
    child.once('exit', (code) => reject(new Error(`bench: site process exited with code ${code}`)));
  });
}

interface Measured {
  mode: string;
  wallMs: number;
  pages: number;
  pagesPerSecond: number;
  errors: number;
  stories: number;
  loopDelayMs: { p50: number; p99: number; max: number };
}

async function measure(mode: 'pool' | 'main-thread', ready: SiteReady): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'diplowatch-bench-loop-'));
  try {
    const configPath = join(dir, 'diplowatch.yaml');
    const config = {
      sources: ready.feeds.map((feed) => ({ id: feed.id, name: feed.name, feed: feed.url, maxAgeDays: 3 })),
      fetch: { allowPrivateNetworks: true, minDelayMs: 0 },
      extract: mode === 'pool' ? {} : { workers: 0 },
      detect: { topic: fileURLToPath(new URL('../config/topics/iran-latam.yaml', import.meta.url)) },
      state: { dir: join(dir, 'state') },
    };
    await writeFile(configPath, stringify(config));
    const logger = createLogger({ level: 'silent', pretty: false });
    const env = { ...process.env, REDIS_URL: undefined, DIPLOWATCH_STATE_DIR: undefined };
    // 1 ms resolution: the histogram then shows stalls of a few ms, not just the 10 ms default's granularity.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const started = performance.now();
    loop.enable();
    const report = await runScan({ configPath, logger, env });
    loop.disable();
    const wallMs = performance.now() - started;
    const pages = report.rows.reduce((sum, row) => sum + row.fresh, 0);
    return {
      mode,
      wallMs: Math.round(wallMs),
      pages,
      pagesPerSecond: Number((pages / (wallMs / 1000)).toFixed(1)),
      errors: report.rows.reduce((sum, row) => sum + row.errors.length, 0),
      stories: report.stories.length,
      loopDelayMs: {
        p50: Number((loop.percentile(50) / 1e6).toFixed(2)),
        p99: Number((loop.percentile(99) / 1e6).toFixed(2)),
        max: Number((loop.max / 1e6).toFixed(2)),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { child, ready } = await startSiteProcess();
  try {
    console.log(`machine: ${availableParallelism()} cores; site: ${ready.feeds.length} outlets, ${ready.pages} pages on ${hosts} loopback host(s), served by a child process`);
    const results: Measured[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['pool', 'main-thread'] as const) {
        const m = await measure(mode, ready);
        results.push(m);
        console.log(
          `${mode.padEnd(11)}  ${(m.wallMs / 1000).toFixed(1)} s, ${m.pages} pages, ${m.pagesPerSecond} pages/s, ${m.errors} errors, ${m.stories} stories; ` +
            `event-loop delay p50 ${m.loopDelayMs.p50} / p99 ${m.loopDelayMs.p99} / max ${m.loopDelayMs.max} ms`,
        );
      }
    }
    const pool = results.filter((m) => m.mode === 'pool');
    const worstP99 = Math.max(...pool.map((m) => m.loopDelayMs.p99));
    console.log(`pool p99 ${worstP99} ms: ${worstP99 < 50 ? 'meets' : 'misses'} the 50 ms target`);
    console.log(JSON.stringify({ bench: 'eventloop-scan', outlets, articlesPerOutlet, hosts, cores: availableParallelism(), results }));
  } finally {
    child.disconnect();
  }
}
