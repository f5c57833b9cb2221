import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bcubed, evaluateStories, readLabelledArticles } from '../../bench/eval-stories.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/stories/articles.jsonl', import.meta.url));

describe('bcubed', () => {
  const labels = new Map([['a', 'x'], ['b', 'x'], ['c', 'y'], ['d', 'y']]);

  it('is 1/1 for a perfect clustering', () => {
    expect(bcubed(new Map([['a', '1'], ['b', '1'], ['c', '2'], ['d', '2']]), labels)).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it('loses precision when events are merged and recall when they are split', () => {
    const merged = bcubed(new Map([['a', '1'], ['b', '1'], ['c', '1'], ['d', '1']]), labels);
    expect(merged.precision).toBe(0.5);
    expect(merged.recall).toBe(1);
    const split = bcubed(new Map([['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']]), labels);
    expect(split.precision).toBe(1);
    expect(split.recall).toBe(0.5);
    expect(split.f1).toBeCloseTo(2 / 3, 10);
  });
});

describe('story evaluation set', () => {
  const articles = readLabelledArticles(FIXTURE);
  const result = evaluateStories(articles);

  it('covers at least 15 events and 30 articles', () => {
    expect(result.events).toBeGreaterThanOrEqual(15);
    expect(articles.length).toBeGreaterThanOrEqual(30);
  });

  it('groups the articles into their events (pinned: lower these only with a reason)', () => {
    expect(result.precision).toBeGreaterThanOrEqual(0.95);
    expect(result.recall).toBeGreaterThanOrEqual(0.95);
    expect(result.stories).toBe(result.events);
  });

  it('joins wire copies by text, re-links by URL, and other angles by event', () => {
    expect(result.decisions.get('e01-a2')?.kind).toBe('duplicate');
    expect(result.decisions.get('e01-b')?.reason).toMatch(/^text similarity 0\.\d\d with "Iran's Raisi lands in Caracas/);
    expect(result.decisions.get('e01-c')?.reason).toMatch(/^text similarity /);
    expect(result.decisions.get('e01-d')?.reason).toBe('same event: Raisi + Venezuela, visit ~ agreement, 1 day apart');
    expect(result.decisions.get('e04-b')?.reason).toBe('same event: Raisi + Venezuela, agreement, 3 days apart');
    // A report in Spanish and a paraphrase share no text with the first report, only the event.
    expect(result.storyOf.get('e01-e')).toBe(result.storyOf.get('e01-a'));
    expect(result.decisions.get('e02-c')?.reason).toMatch(/^same event: Raisi \+ Nicaragua/);
  });

  it('keeps the stops of one tour apart', () => {
    const stops = ['e01-a', 'e02-a', 'e03-a'].map((id) => result.storyOf.get(id));
    expect(new Set(stops).size).toBe(3);
    const ministerStops = ['e06-a', 'e07-a', 'e08-a'].map((id) => result.storyOf.get(id));
    expect(new Set(ministerStops).size).toBe(3);
    expect(result.storyOf.get('e07-b')).toBe(result.storyOf.get('e07-a'));
  });

  it('keeps a row about a visit apart from the visit', () => {
    expect(result.storyOf.get('e11-a')).not.toBe(result.storyOf.get('e10-a'));
  });
});
