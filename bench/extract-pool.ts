/**
 * Extraction in process vs in a worker pool: `npx tsx bench/extract-pool.ts [--limit N] [--fixtures]`.
 * Reports pages/s, per-page latency p50/p95 and the main thread's event-loop delay p99 for each mode, and what
 * trimming on the main thread would cost there against what it would save in message copying.
 * Data: ../shared/bench/extraction/html/*.html.gz from the repo root (the pages belong to their publishers and
 * are only measured), else the project's own article fixtures.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Extractor } from '../src/jobs/deps.js';
import { extractArticle } from '../src/parsers/article.js';
import { trimHtml } from '../src/parsers/trim.js';
import { createExtractPool } from '../src/workers/extract-pool.js';

interface BenchPage {
  url: string;
  html: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function loadPages(limit: number, fixturesOnly: boolean): { source: string; pages: BenchPage[] } {
  const shared = resolve(repoRoot, '../shared/bench/extraction/html');
  if (!fixturesOnly && existsSync(shared)) {
    const names = readdirSync(shared).filter((name) => name.endsWith('.html.gz')).sort().slice(0, limit);
    const pages = names.map((name) => ({
      url: `https://bench.example/${name.replace(/\.html\.gz$/, '')}`,
      html: gunzipSync(readFileSync(join(shared, name))).toString('utf8'),
    }));
    return { source: shared, pages };
  }
  const dir = [join(repoRoot, 'demo/pages'), join(repoRoot, 'test/fixtures/pages')].find((candidate) => existsSync(candidate));
  if (dir === undefined) throw new Error('extract-pool bench: no pages found');
  const names = readdirSync(dir).filter((name) => name.endsWith('.html')).sort().slice(0, limit);
  return { source: dir, pages: names.map((name) => ({ url: `https://fixtures.example/${name}`, html: readFileSync(join(dir, name), 'utf8') })) };
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

/**
 * Extracts every page with `concurrency` callers pulling from one list, the way the article queue's workers
 * would; latency is per call, so a pool of n workers is measured with n callers and never with a backlog.
 */
async function measure(name: string, extract: Extractor, pages: BenchPage[], concurrency: number): Promise<void> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const caller = async (): Promise<void> => {
    for (let page = pages[next++]; page !== undefined; page = pages[next++]) {
      const begun = performance.now();
      await extract(page.html, page.url, {}).catch(() => failures++);
      latencies.push(performance.now() - begun);
      // A service receives each page from I/O, so the event loop turns between pages; give it that turn here too.
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsed = (performance.now() - started) / 1000;
  delay.disable();
  latencies.sort((a, b) => a - b);
  const loopP99 = delay.percentile(99) / 1e6;
  console.log(
    `${name.padEnd(22)} ${(pages.length / elapsed).toFixed(2).padStart(6)} pages/s  p50 ${percentile(latencies, 0.5).toFixed(0).padStart(5)} ms  ` +
      `p95 ${percentile(latencies, 0.95).toFixed(0).padStart(5)} ms  event-loop delay p99 ${loopP99.toFixed(1).padStart(6)} ms  max ${(delay.max / 1e6).toFixed(1)} ms` +
      (failures > 0 ? `  (${failures} pages without an article)` : ''),
  );
}

/** Main-thread cost per page of trimming before posting, against the copying it saves. */
function trimTradeOff(pages: BenchPage[]): void {
  let trimMs = 0;
  let cloneRawMs = 0;
  let cloneTrimmedMs = 0;
  let rawChars = 0;
  let trimmedChars = 0;
  // Three rounds, counting the last: the first calls of structuredClone and the regexes are cold.
  for (const page of [...pages, ...pages, ...pages]) {
    if (page === pages[0]) [trimMs, cloneRawMs, cloneTrimmedMs, rawChars, trimmedChars] = [0, 0, 0, 0, 0];
    let t = performance.now();
    const trimmed = trimHtml(page.html);
    trimMs += performance.now() - t;
    // structuredClone does the serialisation postMessage does on the sending thread.
    t = performance.now();
    structuredClone({ html: page.html, url: page.url });
    cloneRawMs += performance.now() - t;
    t = performance.now();
    structuredClone({ html: trimmed.html, jsonLd: trimmed.jsonLd, url: page.url });
    cloneTrimmedMs += performance.now() - t;
    rawChars += page.html.length;
    trimmedChars += trimmed.html.length;
  }
  const n = pages.length;
  console.log(
    `main-thread cost per page: trimHtml ${(trimMs / n).toFixed(2)} ms; copying the raw page ${(cloneRawMs / n).toFixed(2)} ms ` +
      `(${(rawChars / n / 1000).toFixed(0)} k chars) vs the trimmed one ${(cloneTrimmedMs / n).toFixed(2)} ms (${(trimmedChars / n / 1000).toFixed(0)} k chars)`,
  );
}

const limitAt = process.argv.indexOf('--limit');
const limit = limitAt === -1 ? Number.POSITIVE_INFINITY : Number(process.argv[limitAt + 1]);
const { source, pages } = loadPages(limit, process.argv.includes('--fixtures'));
console.log(`${pages.length} pages from ${source}`);

trimTradeOff(pages);

const inProcess: Extractor = async (html, url, options) => extractArticle(html, url, options);
// Warm up the JIT on a few pages so the first mode measured is not penalised.
for (const page of pages.slice(0, 5)) await inProcess(page.html, page.url, {}).catch(() => undefined);
await measure('in process', inProcess, pages, 1);

for (const size of [1, 2]) {
  const pool = createExtractPool({ size });
  // Start every worker and warm it before measuring: start-up is paid once per worker, not per page.
  await Promise.all(pages.slice(0, size * 3).map((page) => pool.extract(page.html, page.url, {}).catch(() => undefined)));
  await measure(`pool size ${size}`, pool.extract, pages, size);
  await pool.close();
}
