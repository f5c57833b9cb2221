/**
 * The article-extraction benchmark's metric (Zyte's article-extraction-benchmark): 4-token shingle multisets of
 * the extracted text and the true body, per-page TP/FP/FN normalised to sum 1, precision averaged over pages with
 * a non-empty extraction, recall over pages with a non-empty truth, F1 of the two means.
 */

/** Normalised true-positive, false-positive and false-negative shares of one page (summing to 1, or all 0). */
export interface PageScore {
  tp: number;
  fp: number;
  fn: number;
}

/** Benchmark totals over many pages. */
export interface Summary {
  precision: number;
  recall: number;
  f1: number;
}

/** Runs of Unicode letters, digits and underscore, as Python's `\w+` finds them. */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** Multiset of n-token shingles; a text shorter than n tokens is one shingle of all its tokens. */
export function shingles(text: string, n = 4): Map<string, number> {
  const tokens = tokenize(text);
  const counts = new Map<string, number>();
  const last = Math.max(1, tokens.length - n + 1);
  for (let i = 0; i < last; i++) {
    const shingle = tokens.slice(i, i + n);
    if (shingle.length === 0) continue;
    // U+0001 cannot occur inside a token, so joined shingles never collide.
    const key = shingle.join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Scores one page's extraction against its true body. */
export function scorePage(truth: string, extracted: string): PageScore {
  const truthShingles = shingles(truth);
  const extractedShingles = shingles(extracted);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const key of new Set([...truthShingles.keys(), ...extractedShingles.keys()])) {
    const t = truthShingles.get(key) ?? 0;
    const e = extractedShingles.get(key) ?? 0;
    tp += Math.min(t, e);
    fp += Math.max(0, e - t);
    fn += Math.max(0, t - e);
  }
  const sum = tp + fp + fn;
  return sum > 0 ? { tp: tp / sum, fp: fp / sum, fn: fn / sum } : { tp, fp, fn };
}

/** Precision, recall and F1 over pages, exactly as the benchmark averages them. */
export function summarize(scores: PageScore[]): Summary {
  const precisions = scores.filter((s) => s.tp + s.fp > 0).map((s) => s.tp / (s.tp + s.fp));
  const recalls = scores.filter((s) => s.tp + s.fn > 0).map((s) => s.tp / (s.tp + s.fn));
  const precision = mean(precisions);
  const recall = mean(recalls);
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
