/**
 * Story-clustering evaluation: feeds the labelled articles of test/fixtures/stories/articles.jsonl through
 * assignStory in publication order and compares the stories it builds with the labelled events (B-cubed).
 * Run with `npx tsx bench/eval-stories.ts [--detector] [-v] [file.jsonl]`: `--detector` replaces the hand-written
 * signatures with the real detector's (config/topics/iran-latam.yaml), `-v` prints every decision.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { EventSignature } from '../src/detect/types.js';
import { compileTopic, detect, parseTopic, type Topic } from '../src/detect/index.js';
import { assignStory } from '../src/stories/assign.js';
import { fingerprint } from '../src/stories/fingerprint.js';
import type { Assignment, StoryCandidate, StoryOptions } from '../src/stories/types.js';

/** One labelled article of the evaluation set. */
export interface LabelledArticle {
  id: string;
  /** The real-world event this article reports; articles with the same label belong in one story. */
  event: string;
  url: string;
  outlet: string;
  title: string;
  text: string;
  publishedAt: string;
  signature: EventSignature;
}

/** What one evaluation run measured. */
export interface EvaluationResult {
  precision: number;
  recall: number;
  f1: number;
  stories: number;
  events: number;
  /** Article id → story id assigned to it. */
  storyOf: Map<string, string>;
  /** Article id → the matcher's decision and reason, for reading the mistakes. */
  decisions: Map<string, { kind: Assignment['kind']; reason: string }>;
}

/** Default options, as in the config schema. */
export const DEFAULT_STORY_OPTIONS: StoryOptions = { windowDays: 7, similarityThreshold: 0.7 };

/** Reads a JSONL file of labelled articles. */
export function readLabelledArticles(path: string): LabelledArticle[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabelledArticle);
}

/**
 * B-cubed precision and recall of a clustering against labels: for each item, the share of its cluster that has
 * its label (precision) and the share of its label that is in its cluster (recall), averaged over items.
 */
export function bcubed(clusterOf: Map<string, string>, labelOf: Map<string, string>): { precision: number; recall: number; f1: number } {
  const items = [...labelOf.keys()];
  let precision = 0;
  let recall = 0;
  for (const item of items) {
    const cluster = items.filter((other) => clusterOf.get(other) === clusterOf.get(item));
    const label = items.filter((other) => labelOf.get(other) === labelOf.get(item));
    const both = cluster.filter((other) => labelOf.get(other) === labelOf.get(item)).length;
    precision += both / cluster.length;
    recall += both / label.length;
  }
  precision /= items.length;
  recall /= items.length;
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

/** What the detector said about one article: replaces the labelled signature in `--detector` runs. */
export interface DetectedArticle {
  match: boolean;
  score: number;
  reasons: string[];
  signature: EventSignature;
}

/** The topic the service ships, compiled once. */
export function shippedTopic(path = fileURLToPath(new URL('../config/topics/iran-latam.yaml', import.meta.url))): Topic {
  return compileTopic(parseTopic(readFileSync(path, 'utf8'), path));
}

/** Runs the real detector over each article's title and text, as the article job does. */
export function detectAll(articles: LabelledArticle[], topic: Topic = shippedTopic()): Map<string, DetectedArticle> {
  return new Map(
    articles.map((a) => {
      const verdict = detect({ title: a.title, text: a.text, publishedAt: a.publishedAt }, topic);
      const reasons = verdict.reasons.filter((r) => r.weight > 0).map((r) => r.span);
      return [a.id, { match: verdict.match, score: verdict.score, reasons, signature: verdict.signature }];
    }),
  );
}

/**
 * Runs the labelled articles through assignStory in publication order, with every story so far as a candidate.
 * With `detected`, each article carries the detector's signature, score and reasons instead of the labelled ones.
 */
export function evaluateStories(articles: LabelledArticle[], options: StoryOptions = DEFAULT_STORY_OPTIONS, detected?: Map<string, DetectedArticle>): EvaluationResult {
  const ordered = [...articles].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));
  const candidates = new Map<string, StoryCandidate>();
  const storyOf = new Map<string, string>();
  const decisions = new Map<string, { kind: Assignment['kind']; reason: string }>();
  for (const item of ordered) {
    const print = fingerprint(item.text);
    const verdict = detected?.get(item.id) ?? { score: 0.8, reasons: [], signature: item.signature };
    const { score, reasons, signature } = verdict;
    const assignment = assignStory(
      { url: item.url, canonicalUrl: item.url, title: item.title, outlet: item.outlet, publishedAt: item.publishedAt, score, reasons, signature, fingerprint: print },
      [...candidates.values()],
      options,
      item.publishedAt,
    );
    const { story } = assignment;
    const previous = candidates.get(story.id)?.articles ?? [];
    const stored = assignment.kind === 'duplicate' ? previous : [...previous, { storyId: story.id, url: item.url, publishedAt: item.publishedAt, fingerprint: print }];
    candidates.set(story.id, { story, articles: stored });
    storyOf.set(item.id, story.id);
    decisions.set(item.id, { kind: assignment.kind, reason: assignment.reason });
  }
  const labelOf = new Map(articles.map((a) => [a.id, a.event]));
  return { ...bcubed(storyOf, labelOf), stories: candidates.size, events: new Set(labelOf.values()).size, storyOf, decisions };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({ options: { detector: { type: 'boolean', default: false }, verbose: { type: 'boolean', short: 'v', default: false } }, allowPositionals: true });
  const path = positionals[0] ?? fileURLToPath(new URL('../test/fixtures/stories/articles.jsonl', import.meta.url));
  const articles = readLabelledArticles(path);
  const detected = values.detector ? detectAll(articles) : undefined;
  const result = evaluateStories(articles, DEFAULT_STORY_OPTIONS, detected);
  if (values.verbose) {
    for (const article of [...articles].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt))) {
      const decision = result.decisions.get(article.id);
      const signature = detected?.get(article.id)?.signature ?? article.signature;
      const sig = `${signature.iranActors.join('/')} | ${signature.latamStates.join('/')} | ${signature.eventType ?? '-'} | ${signature.place ?? '-'}`;
      console.log(`${article.id.padEnd(8)} ${article.event.padEnd(40)} ${result.storyOf.get(article.id)} ${decision?.kind.padEnd(9)} ${decision?.reason}  [${sig}]`);
    }
  }
  const line = (name: string, r: EvaluationResult): string =>
    `${name.padEnd(40)} alerts sent (stories created) ${String(r.stories).padStart(3)} vs events ${String(r.events).padStart(3)}  B-cubed P ${r.precision.toFixed(3)}  R ${r.recall.toFixed(3)}  F1 ${r.f1.toFixed(3)}`;
  console.log(`\narticles ${articles.length}  events ${result.events}  signatures: ${values.detector ? 'real detector (config/topics/iran-latam.yaml)' : 'labelled by hand'}`);
  if (detected) {
    const missed = [...detected].filter(([, v]) => !v.match).map(([id]) => id);
    console.log(`detector did not match ${missed.length} article(s)${missed.length > 0 ? `: ${missed.join(', ')} (assigned anyway, so clustering is measured on all)` : ''}`);
  }
  console.log(line(values.detector ? 'detector signatures' : 'as labelled', result));
  if (detected) {
    // As in service: an article the detector rejects never reaches the story matcher.
    const matched = articles.filter((a) => detected.get(a.id)?.match === true);
    const inService = evaluateStories(matched, DEFAULT_STORY_OPTIONS, detected);
    console.log(line(`  matched articles only (${matched.length})`, inService));
  }
  // How much rests on the detector finding places and event types: the same run with them erased.
  const erase = (drop: (s: EventSignature) => EventSignature): Map<string, DetectedArticle> =>
    new Map(articles.map((a) => {
      const found = detected?.get(a.id) ?? { match: true, score: 0.8, reasons: [], signature: a.signature };
      return [a.id, { ...found, signature: drop(found.signature) }];
    }));
  const run = (drop: (s: EventSignature) => EventSignature) => evaluateStories(articles, DEFAULT_STORY_OPTIONS, erase(drop));
  console.log(line('  without place', run(({ place: _p, ...rest }) => rest)));
  console.log(line('  without event type', run(({ eventType: _t, ...rest }) => rest)));
  console.log(line('  text only (empty signatures)', run(() => ({ iranActors: [], latamStates: [] }))));
}
