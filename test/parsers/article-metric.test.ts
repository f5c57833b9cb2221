import { describe, expect, it } from 'vitest';
import { scorePage, shingles, summarize, tokenize } from '../../bench/metric.js';

describe('benchmark metric', () => {
  it('tokenizes runs of Unicode letters, digits and underscore', () => {
    expect(tokenize('Irán–Venezuela: 20-year plan_b, São Paulo!')).toEqual(['Irán', 'Venezuela', '20', 'year', 'plan_b', 'São', 'Paulo']);
  });

  it('counts 4-token shingles as a multiset, and a short text as one shingle', () => {
    const counts = shingles('a b c d a b c d');
    expect(counts.size).toBe(4);
    expect([...counts.values()].sort()).toEqual([1, 1, 1, 2]);
    expect([...shingles('only three words').values()]).toEqual([1]);
    expect(shingles('').size).toBe(0);
  });

  it('normalises TP, FP and FN of one page to sum 1', () => {
    // truth shingles: abcd bcde cdef; extracted: abcd bcde cdex dexy → tp 2, fp 2, fn 1.
    const score = scorePage('a b c d e f', 'a b c d e x y');
    expect(score.tp).toBeCloseTo(2 / 5);
    expect(score.fp).toBeCloseTo(2 / 5);
    expect(score.fn).toBeCloseTo(1 / 5);
    expect(scorePage('a b c d', 'a b c d')).toEqual({ tp: 1, fp: 0, fn: 0 });
  });

  it('counts repeated shingles by multiplicity', () => {
    const score = scorePage('a b c d', 'a b c d a b c d');
    // extracted: abcd ×2, bcda, cdab, dabc; truth: abcd → tp 1, fp 4.
    expect(score.tp).toBeCloseTo(1 / 5);
    expect(score.fp).toBeCloseTo(4 / 5);
  });

  it('averages precision over non-empty extractions and recall over non-empty truths', () => {
    const perfect = scorePage('a b c d e', 'a b c d e');
    const empty = scorePage('a b c d e', '');
    const half = scorePage('a b c d e', 'a b c d x y z w');
    const summary = summarize([perfect, empty, half]);
    // half: truth abcd bcde; extracted abcd bcdx cdxy dxyz xyzw → tp 1, fp 4, fn 1.
    expect(summary.precision).toBeCloseTo((1 + 1 / 5) / 2);
    expect(summary.recall).toBeCloseTo((1 + 0 + 1 / 2) / 3);
    expect(summary.f1).toBeCloseTo((2 * summary.precision * summary.recall) / (summary.precision + summary.recall));
  });

  it('gives zeros rather than NaN when nothing was scored', () => {
    expect(summarize([])).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});
