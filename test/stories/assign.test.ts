import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventSignature } from '../../src/detect/types.js';
import { PermanentError } from '../../src/errors.js';
import { assignStory, storyId } from '../../src/stories/assign.js';
import { fingerprint, similarity } from '../../src/stories/fingerprint.js';
import type { ArticleForStory, Story, StoryCandidate, StoryOptions } from '../../src/stories/types.js';

const OPTIONS: StoryOptions = { windowDays: 7, similarityThreshold: 0.7 };
const NOW = '2023-06-13T12:00:00.000Z';

const WIRE = [
  'Iranian President Ebrahim Raisi arrived in Caracas on Monday at the start of a tour of Latin America that also includes Nicaragua and Cuba.',
  'President Nicolas Maduro received him at Miraflores Palace with an honor guard and said the visit opened a new chapter between the two oil producers.',
  'The two governments signed memorandums on energy, petrochemicals, mining and health, and said they wanted trade to reach 20 billion dollars a year.',
  'Foreign Minister Hossein Amir-Abdollahian and the ministers of oil and defense travelled with the president.',
  'Raisi is due in Managua on Tuesday and in Havana later in the week.',
].join('\n\n');

function signature(overrides: Partial<EventSignature> = {}): EventSignature {
  return { iranActors: ['Ebrahim Raisi'], latamStates: ['Venezuela'], eventType: 'visit', place: 'Caracas', ...overrides };
}

function article(overrides: Partial<ArticleForStory> & { text?: string } = {}): ArticleForStory {
  const { text, ...rest } = overrides;
  return {
    url: 'https://news.example/world/raisi-caracas',
    canonicalUrl: 'https://news.example/world/raisi-caracas',
    title: 'Raisi lands in Caracas',
    outlet: 'News Example',
    publishedAt: '2023-06-12T18:00:00Z',
    score: 0.9,
    reasons: ['Iranian President Ebrahim Raisi arrived in Caracas'],
    signature: signature(),
    fingerprint: fingerprint(text ?? WIRE),
    ...rest,
  };
}

/** A story made the way the matcher makes them, with its stored fingerprints, as the store would return it. */
function candidateFrom(first: ArticleForStory, createdAt = first.publishedAt ?? NOW): StoryCandidate {
  const made = assignStory(first, [], OPTIONS, createdAt);
  return { story: made.story, articles: [{ storyId: made.story.id, url: first.canonicalUrl, publishedAt: first.publishedAt, fingerprint: first.fingerprint }] };
}

/** A text of its own for each seed (words drawn by an LCG seeded from the string), so similarity does not decide. */
function otherText(seed: string): string {
  const vocabulary = ['minister', 'talks', 'trade', 'oil', 'visit', 'embassy', 'sanctions', 'delegation', 'capital', 'signed', 'program', 'energy', 'health', 'press', 'summit', 'week', 'council', 'airport', 'treaty', 'agenda'];
  let state = [...seed].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
  const words: string[] = [];
  for (let i = 0; i < 60; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    words.push(vocabulary[(state >>> 16) % vocabulary.length] ?? 'news');
  }
  return `${seed} ${words.join(' ')}`;
}

describe('assignStory: created', () => {
  it('creates a story from the first article, with a stable id and the article as first report', () => {
    const first = article();
    const result = assignStory(first, [], OPTIONS, NOW);
    expect(result.kind).toBe('created');
    expect(result.reason).toBe('first report: no open story');
    const expected: Story = {
      id: storyId(first),
      title: 'Raisi lands in Caracas',
      url: 'https://news.example/world/raisi-caracas',
      outlet: 'News Example',
      publishedAt: '2023-06-12T18:00:00Z',
      score: 0.9,
      reasons: ['Iranian President Ebrahim Raisi arrived in Caracas'],
      signature: signature(),
      articles: [
        {
          url: first.url,
          canonicalUrl: first.canonicalUrl,
          title: first.title,
          outlet: first.outlet,
          publishedAt: first.publishedAt,
          addedAt: NOW,
          joinReason: 'first report',
        },
      ],
      createdAt: NOW,
      updatedAt: NOW,
    };
    expect(result.story).toEqual(expected);
  });

  it('says how many candidates were considered when none matched', () => {
    const other = candidateFrom(article({ url: 'https://x.example/bolivia', canonicalUrl: 'https://x.example/bolivia', text: otherText('Bolivia'), signature: signature({ latamStates: ['Bolivia'], place: 'Tehran', iranActors: ['Mohammad-Reza Ashtiani'] }) }));
    const result = assignStory(article(), [other], OPTIONS, NOW);
    expect(result.kind).toBe('created');
    expect(result.reason).toBe('first report: none of 1 candidate stories matched');
  });

  it('leaves publishedAt out of a story whose first article has none', () => {
    const result = assignStory(article({ publishedAt: undefined }), [], OPTIONS, NOW);
    expect(result.story).not.toHaveProperty('publishedAt');
    expect(result.story.articles[0]).not.toHaveProperty('publishedAt');
  });

  it('refuses a "now" that is not a timestamp', () => {
    expect(() => assignStory(article(), [], OPTIONS, 'yesterday')).toThrow(PermanentError);
    expect(() => assignStory(article(), [], OPTIONS, 'yesterday')).toThrow(/^stories: /);
  });
});

describe('storyId', () => {
  it('is st_ + the first 16 hex of sha256 over the normalized canonical URL', () => {
    const expected = `st_${createHash('sha256').update('https://news.example/world/raisi-caracas').digest('hex').slice(0, 16)}`;
    expect(storyId(article())).toBe(expected);
  });

  it('is the same for tracking and AMP variants of the URL and differs between articles', () => {
    const plain = storyId(article());
    expect(storyId(article({ canonicalUrl: 'https://news.example/amp/world/raisi-caracas/?utm_source=rss#top' }))).toBe(plain);
    expect(storyId(article({ canonicalUrl: 'https://news.example/world/raisi-managua' }))).not.toBe(plain);
  });

  it('falls back to the fetched URL when there is no canonical URL', () => {
    expect(storyId(article({ canonicalUrl: '' }))).toBe(storyId(article()));
  });
});

describe('assignStory: duplicate', () => {
  const first = article();
  const candidate = candidateFrom(first);

  it('recognises the same article behind tracking parameters and a fragment', () => {
    const again = article({ url: 'https://news.example/world/raisi-caracas/?utm_source=twitter#comments', canonicalUrl: 'https://news.example/world/raisi-caracas/?utm_source=twitter#comments', text: otherText('Edited') });
    const result = assignStory(again, [candidate], OPTIONS, NOW);
    expect(result.kind).toBe('duplicate');
    expect(result.reason).toBe('same URL as "Raisi lands in Caracas" (News Example)');
    expect(result.story).toBe(candidate.story);
  });

  it('recognises a known canonical URL behind a new fetched URL', () => {
    const again = article({ url: 'https://news.example/?p=4411', text: otherText('Edited') });
    expect(assignStory(again, [candidate], OPTIONS, NOW).kind).toBe('duplicate');
  });

  it('recognises identical text at another URL, even outside the window', () => {
    const copy = article({ url: 'https://mirror.example/raisi', canonicalUrl: 'https://mirror.example/raisi', title: 'Copy', text: WIRE.toUpperCase(), publishedAt: '2023-09-01T00:00:00Z' });
    const result = assignStory(copy, [candidate], OPTIONS, '2023-09-01T00:00:00Z');
    expect(result.kind).toBe('duplicate');
    expect(result.reason).toBe('same text as "Raisi lands in Caracas" (News Example)');
  });

  it('does not treat two empty texts as the same text', () => {
    const emptyStory = candidateFrom(article({ text: '' }));
    const other = article({ url: 'https://other.example/a', canonicalUrl: 'https://other.example/a', text: '', signature: signature({ latamStates: ['Peru'], place: 'Lima' }) });
    expect(assignStory(other, [emptyStory], OPTIONS, NOW).kind).toBe('created');
  });
});

describe('assignStory: text similarity', () => {
  const first = article();
  const candidate = candidateFrom(first);
  const edited = WIRE.replace('an honor guard', 'a military honor guard').replace('Raisi is due in Managua on Tuesday and in Havana later in the week.', '');
  const copy = article({
    url: 'https://wire.example/2023/06/12/iran-president-venezuela',
    canonicalUrl: 'https://wire.example/2023/06/12/iran-president-venezuela',
    title: 'Iran president opens regional tour in Venezuela',
    outlet: 'Wire Example',
    text: edited,
    // A signature that alone would not match: the text decides.
    signature: signature({ iranActors: [], latamStates: [] }),
  });

  it('joins a wire copy with edits, with the similarity in the reason', () => {
    const value = similarity(copy.fingerprint, first.fingerprint);
    expect(value).toBeGreaterThanOrEqual(0.7);
    const result = assignStory(copy, [candidate], OPTIONS, NOW);
    expect(result.kind).toBe('updated');
    expect(result.reason).toBe(`text similarity ${value.toFixed(2)} with "Raisi lands in Caracas" (News Example)`);
  });

  it('keeps the story id, title and URL, appends the article and sets updatedAt', () => {
    const result = assignStory(copy, [candidate], OPTIONS, NOW);
    const { story } = result;
    expect(story.id).toBe(candidate.story.id);
    expect(story.title).toBe('Raisi lands in Caracas');
    expect(story.url).toBe('https://news.example/world/raisi-caracas');
    expect(story.createdAt).toBe(candidate.story.createdAt);
    expect(story.updatedAt).toBe(NOW);
    expect(story.articles.map((a) => a.url)).toEqual([first.url, copy.url]);
    expect(story.articles[1]).toEqual({ url: copy.url, canonicalUrl: copy.canonicalUrl, title: copy.title, outlet: 'Wire Example', publishedAt: copy.publishedAt, addedAt: NOW, joinReason: result.reason });
    // The candidate passed in is not modified.
    expect(candidate.story.articles).toHaveLength(1);
  });

  it('names the most similar article of the story in the reason', () => {
    const second = article({ url: 'https://b.example/x', canonicalUrl: 'https://b.example/x', title: 'Second report', outlet: 'B', text: edited });
    const joined = assignStory(second, [candidate], OPTIONS, NOW).story;
    const withTwo: StoryCandidate = { story: joined, articles: [...candidate.articles, { storyId: joined.id, url: second.url, fingerprint: second.fingerprint }] };
    const third = article({ url: 'https://c.example/y', canonicalUrl: 'https://c.example/y', text: `${edited} Copyright C Example.` });
    expect(assignStory(third, [withTwo], OPTIONS, NOW).reason).toMatch(/^text similarity 0\.\d\d with "Second report" \(B\)$/);
  });

  it('does not join a near-duplicate published outside the window', () => {
    const late = article({ ...copy, publishedAt: '2023-06-25T00:00:00Z' });
    expect(assignStory(late, [candidate], OPTIONS, '2023-06-25T00:00:00Z').kind).toBe('created');
  });

  it('respects the threshold', () => {
    expect(assignStory(copy, [candidate], { ...OPTIONS, similarityThreshold: 0.99 }, NOW).kind).toBe('created');
  });

  it('picks the most similar of several stories', () => {
    const near = candidateFrom(article({ url: 'https://n.example/1', canonicalUrl: 'https://n.example/1', title: 'Near', text: `${edited} Reporting by the wire desk.` }));
    const nearValue = similarity(copy.fingerprint, near.articles[0]?.fingerprint ?? copy.fingerprint);
    expect(nearValue).toBeGreaterThan(similarity(copy.fingerprint, first.fingerprint));
    for (const order of [[candidate, near], [near, candidate]]) {
      const result = assignStory(copy, order, OPTIONS, NOW);
      expect(result.story.id).toBe(near.story.id);
      expect(result.reason).toBe(`text similarity ${nearValue.toFixed(2)} with "Near" (News Example)`);
    }
  });
});

describe('assignStory: same event', () => {
  const meeting = (overrides: Partial<EventSignature>, publishedAt = '2023-02-03T20:00:00Z', url = 'https://a.example/first'): ArticleForStory =>
    article({
      url,
      canonicalUrl: url,
      title: `Report ${url}`,
      outlet: 'A',
      publishedAt,
      text: otherText(url),
      signature: { iranActors: ['Hossein Amir-Abdollahian'], latamStates: ['Venezuela'], eventType: 'meeting', place: 'Caracas', ...overrides },
    });
  const story = candidateFrom(meeting({}));
  const later = (overrides: Partial<EventSignature>, publishedAt = '2023-02-04T20:00:00Z'): ArticleForStory => meeting(overrides, publishedAt, 'https://b.example/second');

  it('joins a report of the same meeting, with the reason spelled out', () => {
    const result = assignStory(later({}), [story], OPTIONS, NOW);
    expect(result.kind).toBe('updated');
    expect(result.reason).toBe('same event: Amir-Abdollahian + Venezuela, meeting, 1 day apart');
    expect(result.story.articles[1]?.joinReason).toBe(result.reason);
  });

  it('says "same day" and names compatible but different event types', () => {
    expect(assignStory(later({ eventType: 'visit' }, '2023-02-03T23:00:00Z'), [story], OPTIONS, NOW).reason).toBe('same event: Amir-Abdollahian + Venezuela, meeting ~ visit, same day');
    expect(assignStory(later({ eventType: 'agreement' }), [story], OPTIONS, NOW).kind).toBe('updated');
    expect(assignStory(later({ eventType: undefined }), [story], OPTIONS, NOW).reason).toBe('same event: Amir-Abdollahian + Venezuela, meeting, 1 day apart');
  });

  it('does not join incompatible event types', () => {
    for (const eventType of ['call', 'embassy'] as const) {
      expect(assignStory(later({ eventType }), [story], OPTIONS, NOW).kind).toBe('created');
    }
  });

  it('joins a row or statement among the event\'s own parties, in either order', () => {
    for (const eventType of ['row', 'statement'] as const) {
      const result = assignStory(later({ eventType }), [story], OPTIONS, NOW);
      expect(result.kind).toBe('updated');
      expect(result.reason).toBe(`same event: Amir-Abdollahian + Venezuela, meeting ~ ${eventType}, 1 day apart`);
    }
    const row = candidateFrom(meeting({ eventType: 'row' }));
    expect(assignStory(later({ eventType: 'meeting' }), [row], OPTIONS, NOW).kind).toBe('updated');
    expect(assignStory(later({ eventType: 'meeting', latamStates: ['Venezuela', 'Cuba'] }), [row], OPTIONS, NOW).kind).toBe('updated');
  });

  it('keeps apart a row raised by a state the event did not involve', () => {
    expect(assignStory(later({ eventType: 'row', place: undefined, latamStates: ['Argentina', 'Venezuela'] }), [story], OPTIONS, NOW).kind).toBe('created');
    const protest = candidateFrom(meeting({ eventType: 'row', place: undefined, latamStates: ['Argentina', 'Venezuela'] }));
    expect(assignStory(later({ eventType: 'meeting' }), [protest], OPTIONS, NOW).kind).toBe('created');
    // Two reactions of different kinds are not one event.
    const statement = candidateFrom(meeting({ eventType: 'statement' }));
    expect(assignStory(later({ eventType: 'row' }), [statement], OPTIONS, NOW).kind).toBe('created');
  });

  it('reads Tehran against a capital both reports name as a metonym, not as another city', () => {
    const tehran = candidateFrom(meeting({ place: 'Tehran', eventType: 'agreement', iranActors: ['Mohammad-Reza Ashtiani'], latamStates: ['Bolivia'] }));
    const laPaz = later({ place: 'La Paz', eventType: 'agreement', iranActors: ['Mohammad-Reza Ashtiani'], latamStates: ['Bolivia'] });
    expect(assignStory(laPaz, [tehran], OPTIONS, NOW).reason).toBe('same event: Ashtiani + Bolivia, agreement, 1 day apart');
    // Caracas is not a capital of the story's states, so it stays another place.
    expect(assignStory({ ...laPaz, signature: { ...laPaz.signature, place: 'Caracas', latamStates: ['Bolivia', 'Venezuela'] } }, [tehran], OPTIONS, NOW).kind).toBe('created');
    // Two Latin American capitals are two stops, whatever the states.
    expect(assignStory(later({ place: 'Managua', latamStates: ['Venezuela', 'Nicaragua'] }), [candidateFrom(meeting({ latamStates: ['Venezuela', 'Nicaragua'] }))], OPTIONS, NOW).kind).toBe('created');
  });

  it('places a report that names no Iranian by the same known city only', () => {
    const unnamed = later({ iranActors: ['Iran'] });
    expect(assignStory(unnamed, [story], OPTIONS, NOW).reason).toBe('same event: Iran + Venezuela, meeting, 1 day apart');
    expect(assignStory(later({ iranActors: [] }), [story], OPTIONS, NOW).kind).toBe('updated');
    expect(assignStory(later({ iranActors: ['Iran'], place: undefined }), [story], OPTIONS, NOW).kind).toBe('created');
    expect(assignStory(later({ iranActors: ['Iran'], place: 'Maracaibo' }), [story], OPTIONS, NOW).kind).toBe('created');
    // A named official elsewhere in the same city is another event.
    expect(assignStory(later({ iranActors: ['Javad Owji'] }), [story], OPTIONS, NOW).kind).toBe('created');
  });

  it('does not join another stop of the tour', () => {
    expect(assignStory(later({ place: 'Havana', latamStates: ['Cuba', 'Venezuela'] }), [story], OPTIONS, NOW).kind).toBe('created');
  });

  it('does not join a report without a place that never mentions the state of the story\'s city', () => {
    const managua = candidateFrom(meeting({ place: 'Managua', latamStates: ['Nicaragua', 'Venezuela'] }));
    expect(assignStory(later({ place: undefined, latamStates: ['Venezuela'] }), [managua], OPTIONS, NOW).kind).toBe('created');
    expect(assignStory(later({ place: undefined, latamStates: ['Nicaragua'] }), [managua], OPTIONS, NOW).kind).toBe('updated');
  });

  it('joins when one side does not say where', () => {
    expect(assignStory(later({ place: undefined }), [story], OPTIONS, NOW).kind).toBe('updated');
  });

  it('does not join another Iranian official visiting the same country that week', () => {
    expect(assignStory(later({ iranActors: ['Javad Owji'] }), [story], OPTIONS, NOW).kind).toBe('created');
  });

  it('does not join the same actor in another country', () => {
    expect(assignStory(later({ latamStates: ['Bolivia'], place: undefined }), [story], OPTIONS, NOW).kind).toBe('created');
  });

  it('does not join the same two countries outside the window', () => {
    expect(assignStory(later({}, '2023-04-20T00:00:00Z'), [story], OPTIONS, NOW).kind).toBe('created');
    expect(assignStory(later({}, '2023-02-10T19:00:00Z'), [story], OPTIONS, NOW).kind).toBe('updated');
  });

  it('uses "now" when the article has no date', () => {
    const undated = { ...later({}), publishedAt: undefined };
    expect(assignStory(undated, [story], OPTIONS, '2023-02-05T20:00:00Z').reason).toBe('same event: Amir-Abdollahian + Venezuela, meeting, 2 days apart');
    expect(assignStory(undated, [story], OPTIONS, '2023-03-05T20:00:00Z').kind).toBe('created');
  });

  it('matches actors of the same level named differently', () => {
    const raisi = candidateFrom(meeting({ iranActors: ['Ebrahim Raisi'], latamStates: ['Cuba'], place: 'Havana', eventType: 'visit' }));
    const result = assignStory(later({ iranActors: ['Iranian President'], latamStates: ['Cuba'], place: 'Havana', eventType: 'visit' }), [raisi], OPTIONS, NOW);
    expect(result.reason).toBe('same event: Iranian President ~ Raisi + Cuba, visit, 1 day apart');
    const ministry = assignStory(later({ iranActors: ['Iranian Foreign Ministry'] }), [story], OPTIONS, NOW);
    expect(ministry.reason).toBe('same event: Iranian Foreign Ministry ~ Amir-Abdollahian + Venezuela, meeting, 1 day apart');
    expect(assignStory(later({ iranActors: ['Ebrahim Raisi'] }), [story], OPTIONS, NOW).kind).toBe('created');
  });

  it('lists every shared actor and state', () => {
    const both = candidateFrom(meeting({ iranActors: ['Ebrahim Raisi', 'Hossein Amir-Abdollahian'], latamStates: ['Venezuela', 'Cuba'] }));
    const result = assignStory(later({ iranActors: ['Hossein Amir-Abdollahian', 'Ebrahim Raisi'], latamStates: ['Cuba', 'Venezuela'] }), [both], OPTIONS, NOW);
    expect(result.reason).toBe('same event: Amir-Abdollahian & Raisi + Cuba & Venezuela, meeting, 1 day apart');
  });

  it('prefers the story with most overlap, then the closest in time', () => {
    const narrow = candidateFrom(meeting({ place: undefined }, '2023-02-04T10:00:00Z', 'https://n.example/narrow'));
    const wide = candidateFrom(meeting({ iranActors: ['Hossein Amir-Abdollahian', 'Ebrahim Raisi'], place: undefined }, '2023-02-02T10:00:00Z', 'https://w.example/wide'));
    const incoming = later({ iranActors: ['Hossein Amir-Abdollahian', 'Ebrahim Raisi'], place: undefined });
    expect(assignStory(incoming, [narrow, wide], OPTIONS, NOW).story.id).toBe(wide.story.id);
    const older = candidateFrom(meeting({ place: undefined }, '2023-01-30T10:00:00Z', 'https://o.example/older'));
    expect(assignStory(later({ place: undefined }), [older, narrow], OPTIONS, NOW).story.id).toBe(narrow.story.id);
    expect(assignStory(later({ place: undefined }), [narrow, older], OPTIONS, NOW).story.id).toBe(narrow.story.id);
  });

  it('does not let a few shared phrases below the threshold outrank the overlap', () => {
    const boilerplate = 'Support independent journalism and subscribe to our daily newsletter for more news from the region.';
    const narrow = candidateFrom({ ...meeting({ place: undefined }, '2023-02-04T10:00:00Z', 'https://n.example/narrow'), fingerprint: fingerprint(`${otherText('narrow')} ${boilerplate}`) });
    const wide = candidateFrom(meeting({ iranActors: ['Hossein Amir-Abdollahian', 'Ebrahim Raisi'], place: undefined }, '2023-02-02T10:00:00Z', 'https://w.example/wide'));
    const incoming = { ...later({ iranActors: ['Hossein Amir-Abdollahian', 'Ebrahim Raisi'], place: undefined }), fingerprint: fingerprint(`${otherText('incoming')} ${boilerplate}`) };
    const shared = similarity(incoming.fingerprint, narrow.articles[0]?.fingerprint ?? incoming.fingerprint);
    expect(shared).toBeGreaterThan(similarity(incoming.fingerprint, wide.articles[0]?.fingerprint ?? incoming.fingerprint));
    expect(shared).toBeLessThan(0.1);
    expect(assignStory(incoming, [narrow, wide], OPTIONS, NOW).story.id).toBe(wide.story.id);
  });

  it('prefers a near-duplicate over a same-event match', () => {
    const textTwin = candidateFrom(article({ url: 'https://t.example/twin', canonicalUrl: 'https://t.example/twin', title: 'Twin', publishedAt: '2023-02-03T08:00:00Z', text: WIRE, signature: { iranActors: [], latamStates: [] } }));
    const incoming = { ...later({}), fingerprint: fingerprint(`${WIRE} Reporting by the wire desk.`) };
    const result = assignStory(incoming, [story, textTwin], OPTIONS, NOW);
    expect(result.story.id).toBe(textTwin.story.id);
    expect(result.reason).toMatch(/^text similarity 0\.9\d with "Twin"/);
  });

  it('fills in what the story did not know, so a later stop elsewhere stays apart', () => {
    const unplaced = candidateFrom(meeting({ place: undefined, latamStates: ['Venezuela', 'Nicaragua'] }));
    const placed = assignStory(later({ place: 'Caracas', iranActors: ['Hossein Amir-Abdollahian', 'Ebrahim Raisi'] }), [unplaced], OPTIONS, NOW);
    expect(placed.story.signature.place).toBe('Caracas');
    expect(placed.story.signature.iranActors).toEqual(['Hossein Amir-Abdollahian', 'Ebrahim Raisi']);
    const next: StoryCandidate = { story: placed.story, articles: unplaced.articles };
    const managua = meeting({ place: 'Managua', latamStates: ['Nicaragua', 'Venezuela'] }, '2023-02-05T10:00:00Z', 'https://c.example/managua');
    expect(assignStory(managua, [next], OPTIONS, NOW).kind).toBe('created');
  });

  it('keeps the higher score', () => {
    expect(assignStory({ ...later({}), score: 0.99 }, [story], OPTIONS, NOW).story.score).toBe(0.99);
    expect(assignStory({ ...later({}), score: 0.1 }, [story], OPTIONS, NOW).story.score).toBe(0.9);
  });
});
