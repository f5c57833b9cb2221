/**
 * Detector throughput on one core: `npx tsx bench/detect.ts`.
 * Builds ~5 KB articles from the evaluation set (test/fixtures/detect/*.jsonl) when present, else from the
 * unit-test articles, and reports topic compile time, classifications per second and p50/p95 latency.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTopic } from '../src/detect/lexicon.js';
import { compileTopic } from '../src/detect/topic.js';
import { detect } from '../src/detect/detect.js';
import type { DetectInput } from '../src/detect/types.js';
import { EVENT_MATRIX, NEGATIVES, TOUR } from '../test/detect/articles.js';

const ARTICLE_BYTES = 5_000;
const ARTICLES = 400;
const ROUNDS = 10;

const topicFile = fileURLToPath(new URL('../config/topics/iran-latam.yaml', import.meta.url));
const fixtureDir = fileURLToPath(new URL('../test/fixtures/detect/', import.meta.url));

function sourceTexts(): DetectInput[] {
  const out: DetectInput[] = [];
  if (existsSync(fixtureDir)) {
    for (const name of readdirSync(fixtureDir).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of readFileSync(fixtureDir + name, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const item = JSON.parse(line) as { title?: unknown; text?: unknown };
        if (typeof item.title === 'string' && typeof item.text === 'string') out.push({ title: item.title, text: item.text });
      }
    }
  }
  if (out.length === 0) {
    out.push(...EVENT_MATRIX.map(([, , a]) => a), ...TOUR.map((t) => t.article), ...Object.values(NEGATIVES));
  }
  return out;
}

/** Articles of about ARTICLE_BYTES, each the concatenation of consecutive source texts. */
function buildArticles(sources: DetectInput[]): DetectInput[] {
  const articles: DetectInput[] = [];
  let cursor = 0;
  for (let n = 0; n < ARTICLES; n++) {
    const first = sources[cursor % sources.length] as DetectInput;
    const parts: string[] = [];
    let size = 0;
    while (size < ARTICLE_BYTES) {
      const next = sources[cursor++ % sources.length] as DetectInput;
      parts.push(next.text);
      size += Buffer.byteLength(next.text) + 2;
    }
    articles.push({ title: first.title, text: parts.join('\n\n') });
  }
  return articles;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

const yamlText = readFileSync(topicFile, 'utf8');
const compileStart = performance.now();
const topic = compileTopic(parseTopic(yamlText, topicFile));
const compileMs = performance.now() - compileStart;

const articles = buildArticles(sourceTexts());
const meanBytes = articles.reduce((sum, a) => sum + Buffer.byteLength(a.text), 0) / articles.length;

// Warm up the JIT before measuring.
for (const article of articles) detect(article, topic);

const latencies: number[] = [];
let matches = 0;
const cpuStart = process.cpuUsage();
const start = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const article of articles) {
    const t0 = performance.now();
    if (detect(article, topic).match) matches++;
    latencies.push((performance.now() - t0) * 1000);
  }
}
const elapsedS = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
// CPU time as well as wall time: on a shared machine the wall clock also counts time spent waiting.
const cpuS = (cpu.user + cpu.system) / 1e6;
latencies.sort((a, b) => a - b);

console.log(`topic: ${topic.termCount} terms, parse+compile ${compileMs.toFixed(1)} ms`);
console.log(`articles: ${articles.length} × ${ROUNDS} rounds, mean ${(meanBytes / 1000).toFixed(1)} KB (${matches} matches)`);
console.log(`throughput: ${Math.round(latencies.length / elapsedS)} classifications/s (wall), ${Math.round(latencies.length / cpuS)} per CPU-second`);
console.log(`latency: p50 ${percentile(latencies, 0.5).toFixed(0)} µs, p95 ${percentile(latencies, 0.95).toFixed(0)} µs`);
