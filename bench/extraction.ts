/**
 * Extraction benchmark: `npx tsx bench/extraction.ts [--limit N] [--fixtures] [--pages]`. Scores extractArticle
 * and plain Readability (trimmed page, no cleaning, no JSON-LD) with the benchmark's shingle metric, and reports
 * speed and memory; `--pages` adds per-page precision and recall, `--fixtures` forces the project's fixtures.
 * Data: ../shared/bench/extraction from the repo root (html/<id>.html.gz + ground-truth.json; the pages belong
 * to their publishers and are only measured), else the project's own fixtures.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractArticle } from '../src/parsers/article.js';
import { trimHtml } from '../src/parsers/trim.js';
import { scorePage, summarize, type PageScore } from './metric.js';

interface BenchPage {
  id: string;
  url: string;
  html: string;
  truth: string;
}

type Extractor = (html: string, url: string) => string;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function loadPages(limit: number, fixturesOnly: boolean): { source: string; pages: BenchPage[] } {
  const shared = resolve(repoRoot, '../shared/bench/extraction');
  if (!fixturesOnly && existsSync(join(shared, 'ground-truth.json'))) {
    const truth = JSON.parse(readFileSync(join(shared, 'ground-truth.json'), 'utf8')) as Record<string, { articleBody?: string; url?: string }>;
    const pages = Object.entries(truth)
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, limit)
      .map(([id, entry]) => ({
        id,
        url: entry.url ?? `https://example.com/${id}`,
        html: gunzipSync(readFileSync(join(shared, 'html', `${id}.html.gz`))).toString('utf8'),
        truth: entry.articleBody ?? '',
      }));
    return { source: shared, pages };
  }
  // Each article fixture has its true body beside it in `<name>.truth.txt`; the no-article fixtures have none
  // and are left out.
  const dir = join(repoRoot, 'demo/pages');
  const pages = readdirSync(dir)
    .filter((name) => name.endsWith('.html') && existsSync(join(dir, name.replace(/\.html$/, '.truth.txt'))))
    .slice(0, limit)
    .map((name) => {
      const truthFile = join(dir, name.replace(/\.html$/, '.truth.txt'));
      return {
        id: name,
        url: `https://fixtures.example/${name}`,
        html: readFileSync(join(dir, name), 'utf8'),
        truth: existsSync(truthFile) ? readFileSync(truthFile, 'utf8') : '',
      };
    });
  return { source: dir, pages };
}

const ours: Extractor = (html, url) => extractArticle(html, url).text;

const plainReadability: Extractor = (html, url) => {
  const dom = new JSDOM(trimHtml(html).html, { url, contentType: 'text/html', virtualConsole: new VirtualConsole() });
  try {
    return new Readability(dom.window.document).parse()?.textContent ?? '';
  } finally {
    dom.window.close();
  }
};

function run(name: string, extract: Extractor, pages: BenchPage[]): void {
  const scores: PageScore[] = [];
  const times: number[] = [];
  const failures: string[] = [];
  let empty = 0;
  const started = performance.now();
  for (const page of pages) {
    const t0 = performance.now();
    let text = '';
    try {
      text = extract(page.html, page.url);
    } catch (err) {
      failures.push(`${page.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    times.push(performance.now() - t0);
    if (text.trim() === '') empty++;
    scores.push(scorePage(page.truth, text));
  }
  const elapsed = (performance.now() - started) / 1000;
  const { precision, recall, f1 } = summarize(scores);
  times.sort((a, b) => a - b);
  const pct = (p: number): string => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
  const rssMb = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  console.log(
    `${name.padEnd(20)} pages ${pages.length}  empty ${empty}  P ${precision.toFixed(3)}  R ${recall.toFixed(3)}  F1 ${f1.toFixed(3)}  ` +
      `${(pages.length / elapsed).toFixed(1)} pages/s  p50 ${pct(0.5)} ms  p95 ${pct(0.95)} ms  peak RSS (process so far) ${rssMb} MB`,
  );
  for (const failure of failures) console.log(`  failed ${failure}`);
  if (process.argv.includes('--pages')) {
    scores.forEach((score, i) => {
      const p = score.tp + score.fp > 0 ? score.tp / (score.tp + score.fp) : 0;
      const r = score.tp + score.fn > 0 ? score.tp / (score.tp + score.fn) : 0;
      console.log(`  ${pages[i]?.id}  P ${p.toFixed(3)}  R ${r.toFixed(3)}`);
    });
  }
}

const limitAt = process.argv.indexOf('--limit');
const limit = limitAt === -1 ? Number.POSITIVE_INFINITY : Number(process.argv[limitAt + 1]);
const { source, pages } = loadPages(limit, process.argv.includes('--fixtures'));
console.log(`extraction benchmark: ${pages.length} pages from ${source}`);
// Warm both paths up (JIT, jsdom's lazy initialisation) so whichever runs first is not penalised.
for (const page of pages.slice(0, 5)) {
  for (const extract of [ours, plainReadability]) {
    try {
      extract(page.html, page.url);
    } catch {
      // Failures are reported by the measured run.
    }
  }
}
run('extractArticle', ours, pages);
run('plain Readability', plainReadability, pages);
