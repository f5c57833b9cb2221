import { createHash } from 'node:crypto';
import type { EventSignature, EventType } from '../detect/types.js';
import { PermanentError } from '../errors.js';
import { normalizeForFingerprint, similarity } from './fingerprint.js';
import type { ArticleForStory, Assignment, Story, StoryArticle, StoryCandidate, StoryOptions, StoredArticle } from './types.js';
import { normalizeUrl } from './url.js';

const DAY_MS = 86_400_000;

/**
 * Memoizes a pure string function. The same candidate stories come back for article after article, and
 * normalizing their URLs and names dominated assignStory's time with many candidates. Cleared when full, so memory
 * stays bounded; results never depend on the cache.
 */
function memoize(fn: (value: string) => string, limit = 50_000): (value: string) => string {
  const cache = new Map<string, string>();
  return (value) => {
    let result = cache.get(value);
    if (result === undefined) {
      if (cache.size >= limit) cache.clear();
      result = fn(value);
      cache.set(value, result);
    }
    return result;
  };
}

/** Names (actors, states, places) compared without case, accents or punctuation. */
const nameKey = memoize(normalizeForFingerprint);
const urlOf = memoize(normalizeUrl);

type ActorLevel = 'head of state' | 'foreign ministry';

/**
 * Iranian actors whose presence makes two reports comparable even when the texts name them differently
 * ("Iran's president" vs "Raisi"). Names are compared after {@link normalizeForFingerprint}.
 */
const ACTOR_LEVELS: ReadonlyMap<string, ActorLevel> = new Map<string, ActorLevel>([
  ['ebrahim raisi', 'head of state'],
  ['masoud pezeshkian', 'head of state'],
  ['hassan rouhani', 'head of state'],
  ['mahmoud ahmadinejad', 'head of state'],
  ['ali khamenei', 'head of state'],
  ['hossein amir abdollahian', 'foreign ministry'],
  ['abbas araghchi', 'foreign ministry'],
  ['ali bagheri kani', 'foreign ministry'],
  ['mohammad javad zarif', 'foreign ministry'],
]);

/** Words that mark an institution or a title rather than a person's name, so the name is shown whole. */
const INSTITUTION_WORDS = new Set(['ministry', 'minister', 'foreign', 'government', 'president', 'presidency', 'parliament', 'embassy', 'council', 'corps', 'guard', 'guards', 'republic', 'iran', 'iranian', 'office', 'leader', 'army', 'navy', 'forces', 'force', 'organization', 'air', 'airlines', 'bank', 'company']);

/** Event types reported together: pacts are signed during visits and meetings, and a visit consists of meetings. */
const COMPATIBLE_TYPES: ReadonlyArray<readonly [EventType, EventType]> = [
  ['visit', 'meeting'],
  ['agreement', 'visit'],
  ['agreement', 'meeting'],
];

/**
 * The state a Latin American capital belongs to. An event placed in Caracas is about Venezuela: a report that does
 * not mention Venezuela at all describes another stop of the tour, even when it also lists Venezuela's neighbours.
 */
const PLACE_STATES: ReadonlyMap<string, string> = new Map([
  ['caracas', 'venezuela'], ['managua', 'nicaragua'], ['havana', 'cuba'], ['la habana', 'cuba'], ['la paz', 'bolivia'],
  ['sucre', 'bolivia'], ['buenos aires', 'argentina'], ['brasilia', 'brazil'], ['rio de janeiro', 'brazil'],
  ['sao paulo', 'brazil'], ['mexico city', 'mexico'], ['bogota', 'colombia'], ['quito', 'ecuador'], ['lima', 'peru'],
  ['santiago', 'chile'], ['montevideo', 'uruguay'], ['asuncion', 'paraguay'], ['panama city', 'panama'],
  ['san jose', 'costa rica'], ['tegucigalpa', 'honduras'], ['guatemala city', 'guatemala'], ['san salvador', 'el salvador'],
  ['santo domingo', 'dominican republic'], ['kingston', 'jamaica'], ['port au prince', 'haiti'], ['georgetown', 'guyana'],
  ['paramaribo', 'suriname'], ['port of spain', 'trinidad and tobago'],
]);

/** False when one side is placed in a Latin American capital whose state the other side never mentions. */
function placeInStates(place: string | undefined, states: string[]): boolean {
  const state = place === undefined ? undefined : PLACE_STATES.get(nameKey(place));
  return state === undefined || states.some((s) => nameKey(s) === state);
}

/** Names of the Iranian state itself, which say nothing about who acted. */
const GENERIC_ACTORS: ReadonlySet<string> = new Set(['iran', 'iranian government', 'government of iran', 'islamic republic of iran', 'tehran']);

/** True when the actors name no one in particular: none at all, or only the Iranian state. */
function unnamed(actors: string[]): boolean {
  return actors.every((name) => GENERIC_ACTORS.has(nameKey(name)));
}

function actorLevel(name: string): ActorLevel | undefined {
  const key = nameKey(name);
  const known = ACTOR_LEVELS.get(key);
  if (known) return known;
  if (/\bforeign (minister|ministry|affairs)\b/.test(key)) return 'foreign ministry';
  if (/\bpresident\b|\bpresidency\b/.test(key)) return 'head of state';
  return undefined;
}

/** `Hossein Amir-Abdollahian` → `Amir-Abdollahian`; institutions and single names stay whole. */
function shortName(name: string): string {
  const words = name.trim().split(/\s+/);
  const isPerson = words.length >= 2 && words.length <= 3 && words.every((w) => /^\p{Lu}/u.test(w) && !INSTITUTION_WORDS.has(w.toLowerCase()));
  return isPerson ? words.slice(1).join(' ') : name;
}

function shared(a: string[], b: string[]): string[] {
  const keys = new Set(b.map(nameKey));
  return a.filter((value, index) => keys.has(nameKey(value)) && a.indexOf(value) === index);
}

/**
 * Types that describe a reaction rather than the event itself. Detectors read them off criticism, protests and
 * analysis ("Washington shrugs off the Tehran declaration"), which is often coverage of the event.
 */
const REACTION_TYPES: ReadonlySet<EventType> = new Set<EventType>(['row', 'statement']);

/** Every state of `some` is among `all`. */
function within(some: string[], all: string[]): boolean {
  const keys = new Set(all.map(nameKey));
  return some.every((state) => keys.has(nameKey(state)));
}

function typesCompatible(article: EventSignature, story: EventSignature): boolean {
  const { eventType: a } = article;
  const { eventType: b } = story;
  if (a === undefined || b === undefined || a === b) return true;
  if (COMPATIBLE_TYPES.some(([x, y]) => (a === x && b === y) || (a === y && b === x))) return true;
  // A dispute among the event's own parties is coverage of it (a pact criticised, a visit's fallout); one raised by
  // a state the event did not involve (Argentina protesting a guest at Managua's inauguration) is a story of its own.
  if (REACTION_TYPES.has(a) && !REACTION_TYPES.has(b)) return within(article.latamStates, story.latamStates);
  if (REACTION_TYPES.has(b) && !REACTION_TYPES.has(a)) return within(story.latamStates, article.latamStates);
  return false;
}

function typeLabel(story: EventType | undefined, article: EventType | undefined): string | undefined {
  if (story === undefined || article === undefined || story === article) return article ?? story;
  return `${story} ~ ${article}`;
}

/** Places in Iran, as detectors name them. */
const IRAN_PLACES: ReadonlySet<string> = new Set(['tehran', 'teheran', 'teera', 'teeran']);

/**
 * Tehran against the capital of a state both reports name: news writes capitals for governments ("the pact La
 * Paz signed", "an alliance with Tehran"), so this pair is weak evidence of two events; two Latin American
 * capitals (two stops of a tour) or two Iranian cities stay strong.
 */
function metonymPair(a: string, b: string, article: EventSignature, story: EventSignature): boolean {
  const [iranian, other] = IRAN_PLACES.has(nameKey(a)) ? [a, b] : [b, a];
  if (!IRAN_PLACES.has(nameKey(iranian)) || IRAN_PLACES.has(nameKey(other))) return false;
  const state = PLACE_STATES.get(nameKey(other));
  return state !== undefined && within([state], article.latamStates) && within([state], story.latamStates);
}

function placesCompatible(article: EventSignature, story: EventSignature): boolean {
  const { place: a } = article;
  const { place: b } = story;
  if (a !== undefined && b !== undefined) return nameKey(a) === nameKey(b) || metonymPair(a, b, article, story);
  return placeInStates(b, article.latamStates) && placeInStates(a, story.latamStates);
}

function daysLabel(ms: number): string {
  const days = Math.round(ms / DAY_MS);
  if (days === 0) return 'same day';
  return days === 1 ? '1 day apart' : `${days} days apart`;
}

function parseTime(iso: string | undefined, fallback: number): number {
  if (iso === undefined) return fallback;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? fallback : ms;
}

function safeNormalize(url: string): string {
  return url === '' ? '' : urlOf(url);
}

/** How an article's signature matches a story's, or undefined when they report different events. */
interface EventMatch {
  actors: string;
  states: string[];
  overlap: number;
}

function matchEvent(article: EventSignature, story: EventSignature): EventMatch | undefined {
  const states = shared(article.latamStates, story.latamStates);
  if (states.length === 0) return undefined;
  if (!typesCompatible(article, story) || !placesCompatible(article, story)) return undefined;
  const actors = shared(article.iranActors, story.iranActors);
  if (actors.length > 0) return { actors: actors.map(shortName).join(' & '), states, overlap: actors.length + states.length };
  for (const level of ['head of state', 'foreign ministry'] as const) {
    const mine = article.iranActors.find((name) => actorLevel(name) === level);
    const theirs = story.iranActors.find((name) => actorLevel(name) === level);
    if (mine !== undefined && theirs !== undefined) {
      return { actors: `${shortName(mine)} ~ ${shortName(theirs)}`, states, overlap: 1 + states.length };
    }
  }
  // "Iran's top diplomat" or "the Iranian delegation" names nobody: the report can still be placed at the event,
  // but only by the same known city, never by the state alone.
  const samePlace = article.place !== undefined && story.place !== undefined && nameKey(article.place) === nameKey(story.place);
  if (samePlace && (unnamed(article.iranActors) || unnamed(story.iranActors))) return { actors: 'Iran', states, overlap: states.length };
  return undefined;
}

/** Everything the matcher weighs about one candidate story. */
interface Weighed {
  candidate: StoryCandidate;
  similarity: number;
  /**
   * The similarity used for ranking: exact at or above the near-duplicate threshold, in steps of 0.1 below it,
   * where a few shared shingles are noise and must not outrank the overlap of the events.
   */
  rank: number;
  closest: StoredArticle | undefined;
  event: EventMatch | undefined;
  distanceMs: number;
}

/** Highest similarity first, then most overlap, then closest in time. */
function better(a: Weighed, b: Weighed): number {
  return b.rank - a.rank || (b.event?.overlap ?? 0) - (a.event?.overlap ?? 0) || a.distanceMs - b.distanceMs;
}

function memberFor(story: Story, url: string): { title: string; outlet: string } {
  const key = safeNormalize(url);
  const member = story.articles.find((a) => safeNormalize(a.canonicalUrl) === key || safeNormalize(a.url) === key);
  return member ?? story;
}

function findDuplicate(article: ArticleForStory, candidates: StoryCandidate[]): Assignment | undefined {
  const keys = new Set([safeNormalize(article.url), safeNormalize(article.canonicalUrl)].filter((k) => k !== ''));
  // An empty text hashes like every other empty text; it says nothing about sameness.
  const hasText = article.fingerprint.bands.length > 0;
  for (const candidate of candidates) {
    const { story } = candidate;
    const urls = [...story.articles.flatMap((a) => [a.url, a.canonicalUrl]), ...candidate.articles.map((a) => a.url)];
    const sameUrl = urls.find((url) => keys.has(safeNormalize(url)));
    if (sameUrl !== undefined) {
      const member = memberFor(story, sameUrl);
      return { kind: 'duplicate', story, reason: `same URL as "${member.title}" (${member.outlet})` };
    }
    const sameText = hasText ? candidate.articles.find((a) => a.fingerprint.contentHash === article.fingerprint.contentHash) : undefined;
    if (sameText !== undefined) {
      const member = memberFor(story, sameText.url);
      return { kind: 'duplicate', story, reason: `same text as "${member.title}" (${member.outlet})` };
    }
  }
  return undefined;
}

function weigh(article: ArticleForStory, candidate: StoryCandidate, articleTime: number, threshold: number): Weighed {
  let best = -1;
  let closest: StoredArticle | undefined;
  for (const stored of candidate.articles) {
    const value = similarity(article.fingerprint, stored.fingerprint);
    if (value > best) {
      best = value;
      closest = stored;
    }
  }
  const value = Math.max(best, 0);
  const { story } = candidate;
  const storyTime = parseTime(story.publishedAt, parseTime(story.createdAt, articleTime));
  return {
    candidate,
    similarity: value,
    rank: value >= threshold ? value : Math.floor(value * 10) / 10,
    closest,
    event: matchEvent(article.signature, story.signature),
    distanceMs: Math.abs(articleTime - storyTime),
  };
}

function toStoryArticle(article: ArticleForStory, joinReason: string, now: string): StoryArticle {
  const member: StoryArticle = { url: article.url, canonicalUrl: article.canonicalUrl, title: article.title, outlet: article.outlet, addedAt: now, joinReason };
  if (article.publishedAt !== undefined) member.publishedAt = article.publishedAt;
  return member;
}

/** The story with the article appended: the id, title and URL of the first report stay; the event gains what the new report adds. */
function withArticle(story: Story, article: ArticleForStory, reason: string, now: string): Story {
  const signature: EventSignature = {
    ...story.signature,
    iranActors: [...story.signature.iranActors, ...article.signature.iranActors.filter((a) => shared([a], story.signature.iranActors).length === 0)],
  };
  // Filling what the story did not know keeps later tour stops (another city) from joining it.
  if (signature.eventType === undefined && article.signature.eventType !== undefined) signature.eventType = article.signature.eventType;
  if (signature.place === undefined && article.signature.place !== undefined) signature.place = article.signature.place;
  if (signature.date === undefined && article.signature.date !== undefined) signature.date = article.signature.date;
  return {
    ...story,
    score: Math.max(story.score, article.score),
    signature,
    articles: [...story.articles, toStoryArticle(article, reason, now)],
    updatedAt: now,
  };
}

/** Stable story id of the story an article starts: `st_` + the first 16 hex of sha256 over its normalized URL. */
export function storyId(article: Pick<ArticleForStory, 'url' | 'canonicalUrl'>): string {
  const url = safeNormalize(article.canonicalUrl !== '' ? article.canonicalUrl : article.url);
  return `st_${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

/** A new story whose first report is the article. */
function newStory(article: ArticleForStory, now: string): Story {
  const story: Story = {
    id: storyId(article),
    title: article.title,
    url: article.canonicalUrl !== '' ? article.canonicalUrl : article.url,
    outlet: article.outlet,
    score: article.score,
    reasons: [...article.reasons],
    signature: article.signature,
    articles: [toStoryArticle(article, 'first report', now)],
    createdAt: now,
    updatedAt: now,
  };
  if (article.publishedAt !== undefined) story.publishedAt = article.publishedAt;
  return story;
}

/**
 * Decides which story an article belongs to. Rules, in order: the same URL or identical text already in a story
 * → `duplicate`; text similarity at or above the threshold with an article of a story within the window →
 * `updated`; the same event (shared Iranian actor or level, shared Latin American state, compatible event type
 * and place) within the window → `updated`; otherwise a new story → `created`. Among several qualifying stories
 * the most similar wins, then the one with most overlap, then the closest in time. `now` is an ISO timestamp.
 */
export function assignStory(article: ArticleForStory, candidates: StoryCandidate[], options: StoryOptions, now: string): Assignment {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new PermanentError(`stories: "now" is not an ISO timestamp (${now})`);

  const duplicate = findDuplicate(article, candidates);
  if (duplicate) return duplicate;

  const articleTime = parseTime(article.publishedAt, nowMs);
  const windowMs = options.windowDays * DAY_MS;
  const open = candidates.map((c) => weigh(article, c, articleTime, options.similarityThreshold)).filter((w) => w.distanceMs <= windowMs);

  const nearDuplicate = open.filter((w) => w.similarity >= options.similarityThreshold).sort(better)[0];
  if (nearDuplicate) {
    const { story } = nearDuplicate.candidate;
    const member = memberFor(story, nearDuplicate.closest?.url ?? story.url);
    const reason = `text similarity ${nearDuplicate.similarity.toFixed(2)} with "${member.title}" (${member.outlet})`;
    return { kind: 'updated', story: withArticle(story, article, reason, now), reason };
  }

  const sameEvent = open.filter((w) => w.event !== undefined).sort(better)[0];
  if (sameEvent?.event) {
    const { story } = sameEvent.candidate;
    const type = typeLabel(story.signature.eventType, article.signature.eventType);
    const parts = [`${sameEvent.event.actors} + ${sameEvent.event.states.join(' & ')}`, type, daysLabel(sameEvent.distanceMs)];
    const reason = `same event: ${parts.filter((p) => p !== undefined).join(', ')}`;
    return { kind: 'updated', story: withArticle(story, article, reason, now), reason };
  }

  const reason = candidates.length === 0 ? 'first report: no open story' : `first report: none of ${candidates.length} candidate stories matched`;
  return { kind: 'created', story: newStory(article, now), reason };
}
