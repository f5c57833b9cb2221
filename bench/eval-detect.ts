/**
 * Evaluates the detector on the labelled set in test/fixtures/detect/*.jsonl: `npx tsx bench/eval-detect.ts`
 * (wired as `npm run eval:detect`). Prints precision, recall and F1 overall, per language and per kind, and
 * every miss with its reasons. Items that carry `html` instead of `text` are run through `extractArticle`.
 * Exit code 1 when precision or recall is below target.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseTopic } from '../src/detect/lexicon.js';
import { compileTopic, type Topic } from '../src/detect/topic.js';
import { detect } from '../src/detect/detect.js';
import { extractArticle } from '../src/parsers/article.js';
import type { DetectInput, Verdict } from '../src/detect/types.js';

/** Targets from the brief: a false alert costs trust, a missed visit is the product's reason to exist. */
export const TARGETS = { precision: 0.97, recall: 0.95 } as const;

/** One labelled item of the evaluation set. */
export interface EvalItem {
  id: string;
  lang: string;
  label: boolean;
  kind: string;
  title: string;
  text?: string;
  html?: string;
  url?: string;
  date?: string;
  note?: string;
  /** Expected signature of a positive: states and Iranian actors (informational for negatives). */
  countries?: string[];
  iranActors?: string[];
  file: string;
}

/** The verdict on one item, next to its label. */
export interface EvalResult {
  item: EvalItem;
  input: DetectInput;
  verdict: Verdict;
}

/** Precision/recall counts. */
export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export const FIXTURE_DIR = fileURLToPath(new URL('../test/fixtures/detect/', import.meta.url));
const TOPIC_FILE = fileURLToPath(new URL('../config/topics/iran-latam.yaml', import.meta.url));

/** Reads every `.jsonl` file of the evaluation set; throws naming the file and line of a bad item. */
export function loadEvalSet(dir = FIXTURE_DIR): EvalItem[] {
  if (!existsSync(dir)) return [];
  const items: EvalItem[] = [];
  // The held-out file measures the detector on text it was not tuned on: it is only read with --file.
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl') && !f.startsWith(HELDOUT_PREFIX)).sort()) {
    items.push(...loadEvalFile(dir + file));
  }
  return items;
}

/** Files of the fixture folder whose name starts with this are left out of the default set. */
export const HELDOUT_PREFIX = 'heldout';

/** Reads one `.jsonl` file of labelled items; throws naming the file and line of a bad item. */
export function loadEvalFile(path: string): EvalItem[] {
  const file = basename(path);
  const items: EvalItem[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, index) => {
        if (line.trim() === '') return;
        const raw = JSON.parse(line) as Record<string, unknown>;
        const { id, lang, label, kind, title } = raw;
        if (typeof id !== 'string' || typeof label !== 'boolean' || typeof kind !== 'string' || typeof title !== 'string') {
          throw new Error(`eval: ${file}:${index + 1}: needs id, label, kind and title`);
        }
        const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
        const list = (v: unknown): string[] | undefined =>
          Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
        items.push({
          id, label, kind, title, file,
          lang: typeof lang === 'string' ? lang : 'und',
          text: str(raw.text), html: str(raw.html), url: str(raw.url), date: str(raw.date), note: str(raw.note),
          countries: list(raw.countries), iranActors: list(raw.iranActors),
        });
    });
  return items;
}

/** The shipped topic, compiled. */
export function loadShippedTopic(): Topic {
  return compileTopic(parseTopic(readFileSync(TOPIC_FILE, 'utf8'), TOPIC_FILE));
}

/** What the detector sees for an item: its text, or the extracted article for `html` items. */
export function inputOf(item: EvalItem): DetectInput | undefined {
  // `date` is the day of publication: noon UTC stands in for the hour, so "on Monday" can resolve.
  const publishedAt = item.date ? `${item.date}T12:00:00Z` : undefined;
  if (item.text !== undefined) return { title: item.title, text: item.text, lang: item.lang, ...(publishedAt ? { publishedAt } : {}) };
  if (item.html !== undefined) {
    const article = extractArticle(item.html, item.url ?? 'https://example.invalid/article');
    const input: DetectInput = { title: article.title || item.title, text: article.text };
    const lang = article.lang ?? item.lang;
    if (lang) input.lang = lang;
    if (publishedAt) input.publishedAt = publishedAt;
    return input;
  }
  return undefined;
}

/** Runs the detector over the set. Items with neither text nor html are returned in `skipped`. */
export function evaluate(items: EvalItem[], topic: Topic, threshold?: number): { results: EvalResult[]; skipped: EvalItem[] } {
  const results: EvalResult[] = [];
  const skipped: EvalItem[] = [];
  for (const item of items) {
    const input = inputOf(item);
    if (!input) {
      skipped.push(item);
      continue;
    }
    results.push({ item, input, verdict: detect(input, topic, threshold === undefined ? {} : { threshold }) });
  }
  return { results, skipped };
}

/** Confusion counts of a set of results. */
export function countsOf(results: EvalResult[]): Counts {
  const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const { item, verdict } of results) {
    if (item.label) verdict.match ? c.tp++ : c.fn++;
    else verdict.match ? c.fp++ : c.tn++;
  }
  return c;
}

/** Precision, recall and F1 (1 when undefined because nothing was predicted or expected). */
export function metricsOf(c: Counts): { precision: number; recall: number; f1: number } {
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function line(name: string, results: EvalResult[]): string {
  const c = countsOf(results);
  const m = metricsOf(c);
  const pct = (x: number): string => x.toFixed(3);
  return `${name.padEnd(22)} n=${String(results.length).padStart(4)}  P=${pct(m.precision)} R=${pct(m.recall)} F1=${pct(m.f1)}  (tp ${c.tp}, fp ${c.fp}, fn ${c.fn}, tn ${c.tn})`;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function groupBy(results: EvalResult[], key: (r: EvalResult) => string): Map<string, EvalResult[]> {
  const groups = new Map<string, EvalResult[]>();
  for (const r of results) {
    const k = key(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

function main(argv: string[]): number {
  // --file <path>: evaluate that one file alone (e.g. the held-out set) instead of the default set.
  const at = argv.indexOf('--file');
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !file) {
    console.log('usage: tsx bench/eval-detect.ts [--file path/to/items.jsonl]');
    return 2;
  }
  const items = file ? loadEvalFile(resolve(file)) : loadEvalSet();
  if (items.length === 0) {
    console.log(`no evaluation items in ${FIXTURE_DIR}`);
    return 1;
  }
  const { results, skipped } = evaluate(items, loadShippedTopic());
  console.log(line('overall', results));
  console.log('\nby language');
  for (const [lang, group] of groupBy(results, (r) => r.item.lang)) console.log(line(`  ${lang}`, group));
  console.log('\nby kind (negatives: share correctly rejected = tn / n)');
  for (const [kind, group] of groupBy(results, (r) => r.item.kind)) console.log(line(`  ${kind}`, group));
  const htmlCount = results.filter((r) => r.item.text === undefined).length;
  console.log(`\n${htmlCount} items extracted from html; ${skipped.length} skipped (no text or html)`);
  for (const item of skipped) console.log(`  skipped ${item.id}`);

  // Signatures of the matched positives against the labelled states and actors.
  const labelled = results.filter((r) => r.item.label && r.verdict.match && r.item.countries && r.item.iranActors);
  const sameStates = labelled.filter((r) => sameSet(r.verdict.signature.latamStates, r.item.countries ?? []));
  const hasActors = labelled.filter((r) => (r.item.iranActors ?? []).every((a) => a === 'Iran' || r.verdict.signature.iranActors.includes(a)));
  console.log(`\nsignatures of ${labelled.length} matched positives: states exact ${sameStates.length}, Iranian actors found ${hasActors.length}`);
  for (const r of labelled.filter((x) => !sameStates.includes(x))) {
    console.log(`  states ${r.item.id}: ${r.verdict.signature.latamStates.join('/')} (labelled ${(r.item.countries ?? []).join('/')})`);
  }

  const misses = results.filter((r) => r.item.label !== r.verdict.match);
  console.log(`\nmisses: ${misses.length}`);
  for (const { item, verdict } of misses) {
    console.log(`\n${item.label ? 'MISSED' : 'FALSE ALERT'} ${item.id} [${item.kind}] score ${verdict.score}  (${item.file})`);
    console.log(`  title: ${item.title}`);
    for (const r of verdict.reasons) console.log(`  ${r.weight >= 0 ? '+' : ''}${r.weight} ${r.rule}: ${r.span}`);
  }
  const m = metricsOf(countsOf(results));
  const ok = m.precision >= TARGETS.precision && m.recall >= TARGETS.recall;
  console.log(`\ntargets P>=${TARGETS.precision} R>=${TARGETS.recall}: ${ok ? 'met' : 'NOT met'}`);
  return ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
