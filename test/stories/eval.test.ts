import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bcubed, detectAll, evaluateStories, readLabelledArticles } from '../../bench/eval-stories.js';

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

  it('covers at least 30 events with 2 to 6 articles each', () => {
    expect(result.events).toBeGreaterThanOrEqual(30);
    const sizes = new Map<string, number>();
    for (const a of articles) sizes.set(a.event, (sizes.get(a.event) ?? 0) + 1);
    for (const [event, size] of sizes) {
      expect(size, event).toBeGreaterThanOrEqual(2);
      expect(size, event).toBeLessThanOrEqual(6);
    }
    expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
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

  const apart = (ids: string[]) => expect(new Set(ids.map((id) => result.storyOf.get(id))).size).toBe(ids.length);

  it('keeps the stops of the 2009 and 2012 tours apart, and joins each stop\'s reports in other languages', () => {
    apart(['e16-a', 'e17-a', 'e18-a']);
    apart(['e20-a', 'e21-a', 'e22-a', 'e23-a']);
    const translations = [['e16-c', 'e16-a'], ['e17-b', 'e17-a'], ['e18-b', 'e18-a'], ['e20-c', 'e20-a'], ['e23-b', 'e23-a']] as const;
    for (const [report, first] of translations) {
      expect(result.storyOf.get(report), report).toBe(result.storyOf.get(first));
    }
    expect(result.decisions.get('e20-b')?.reason).toMatch(/^text similarity 0\.\d\d with "Ahmadinejad starts Latin America tour/);
  });

  it('keeps the same minister apart in other countries of one tour', () => {
    apart(['e27-a', 'e28-a', 'e29-a']);
    expect(result.storyOf.get('e28-b')).toBe(result.storyOf.get('e28-a'));
  });

  it('keeps the same two countries apart months later', () => {
    apart(['e16-a', 'e19-a']); // Brazil and Iran, Brasília Nov 2009 and Tehran May 2010
    apart(['e24-a', 'e25-a']); // Argentina and Iran, the AMIA memorandum signed and then approved a month later
    apart(['e13-a', 'e12-a']); // Owji in Caracas, a year apart
    expect(result.decisions.get('e19-c')?.reason).toBe('same event: Ahmadinejad + Brazil, agreement, 3 days apart');
  });

  it('keeps one country\'s visits by different Iranian officials apart', () => {
    apart(['e23-a', 'e28-a']); // Ecuador: Ahmadinejad 2012, Zarif 2016
    apart(['e07-a', 'e12-a', 'e01-a']); // Venezuela: Amir-Abdollahian, Owji, Raisi in 2023
  });

  it('keeps a row in the same week apart from a visit of the same two countries', () => {
    // June 2022: Maduro in Tehran and the Venezuelan plane with an Iranian crew grounded in Argentina.
    apart(['e04-a', 'e30-a']);
    expect(result.storyOf.get('e30-c')).toBe(result.storyOf.get('e30-a'));
    expect(result.storyOf.get('e04-b')).toBe(result.storyOf.get('e04-a'));
  });
});

describe('story evaluation set with the real detector\'s signatures', () => {
  const articles = readLabelledArticles(FIXTURE);
  const result = evaluateStories(articles, undefined, detectAll(articles));

  // Lower than the labelled run: the detector misreads a few reports (see bench/eval-stories.ts --detector -v).
  it('still groups the articles into their events and merges no look-alikes', () => {
    expect(result.precision).toBeGreaterThanOrEqual(0.95);
    expect(result.f1).toBeGreaterThanOrEqual(0.95);
    expect(result.stories).toBeLessThanOrEqual(result.events + 3);
  });
});
