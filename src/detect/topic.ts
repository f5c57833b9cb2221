import type { TopicLexicon } from './lexicon.js';
import { PermanentError } from '../errors.js';
import { tokenize, type Token } from './normalize.js';
import type { EventType } from './types.js';

/** What a matched term stands for. */
export type TermEntry =
  | {
      kind: 'iran';
      canonical: string;
      /** a named person or institution, not just the country */ named: boolean;
      place?: string;
      /** an office without a name ("Iran's foreign minister"): yields to a named person in signatures */ role?: boolean;
    }
  | { kind: 'latam'; state: string; canonical: string; named: boolean; place?: string; role?: boolean }
  | { kind: 'region'; canonical: string }
  | { kind: 'cue'; event: EventType; weight: number }
  | { kind: 'negative'; negative: string }
  | { kind: 'related' }
  /** An institution named without its country: it belongs to the state of the article's dateline. */
  | { kind: 'domestic' }
  | { kind: 'ignore' };

/** One matched term in a text. */
export interface TermHit {
  entries: readonly TermEntry[];
  /** Offsets in the original text. */
  start: number;
  end: number;
}

interface TrieNode {
  /** Children by next word; absent on the many leaves, which keeps the compiled topic small. */
  next: Map<string, TrieNode> | undefined;
  entries: TermEntry[] | undefined;
  /** Terms whose last word ends with `*`: stem → entries. */
  stems: Map<string, TermEntry[]> | undefined;
  /** First STEM_KEY letters of a word → the lengths of the stems starting with them, longest first. */
  stemIndex: Map<string, number[]> | undefined;
  /** Word → stem entries found for it (null: none), for the root only. */
  stemMemo: Map<string, TermEntry[] | null> | undefined;
  /** The term ending here is a place name that is also a common word: it matches only when capitalized. */
  cased: boolean;
}

/** Per negative kind: how much each distinct word subtracts, the most the kind may subtract, and its effect on a sentence. */
export interface NegativeRule {
  per: number;
  cap: number;
  /** Factor on the evidence of a sentence containing one of the kind's words. */
  sentence: number;
}

/** A compiled topic: one token trie over every term of every class, built once. */
export interface Topic {
  id: string;
  name: string;
  /** Canonical name of the Iranian side as a country (used when no person or institution is named). */
  iranCanonical: string;
  negatives: ReadonlyMap<string, NegativeRule>;
  /** Finds every term in `text[from, to)`, leftmost-longest, without overlaps. */
  match(text: string, from?: number, to?: number): TermHit[];
  /** Number of distinct normalized terms in the trie. */
  termCount: number;
}

// Wildcard stems are indexed by their first letters, so a word is checked only against stems it could match.
// Stems must therefore be at least this long (shorter ones are rejected when compiling).
const STEM_KEY = 3;
const NONE: readonly number[] = [];

function newNode(): TrieNode {
  return { next: undefined, entries: undefined, stems: undefined, stemIndex: undefined, stemMemo: undefined, cased: false };
}

/**
 * Normalizes every term of the lexicon once and builds a single token trie over all of them, so an article
 * is scanned once per word, never once per lexicon entry. Variants of a person map to one canonical name.
 */
export function compileTopic(lexicon: TopicLexicon): Topic {
  const root = newNode();
  root.stemMemo = new Map();
  const seen = new Set<string>();

  const add = (phrase: string, entry: TermEntry): void => {
    const wildcard = phrase.endsWith('*');
    const words = tokenize(wildcard ? phrase.slice(0, -1) : phrase).map((t) => t.norm);
    if (words.length === 0) return;
    if (wildcard && (words[words.length - 1] as string).length < STEM_KEY) {
      throw new PermanentError(`topic: "${phrase}": a word ending in * needs at least ${STEM_KEY} letters before the *`);
    }
    seen.add(words.join(' ') + (wildcard ? '*' : ''));
    let node = root;
    const last = words.length - 1;
    for (let i = 0; i < last; i++) {
      const word = words[i] as string;
      node.next ??= new Map();
      let child = node.next.get(word);
      if (!child) {
        child = newNode();
        node.next.set(word, child);
      }
      node = child;
    }
    const lastWord = words[last] as string;
    if (wildcard) {
      node.stems ??= new Map();
      node.stemIndex ??= new Map();
      pushEntry(node.stems, lastWord, entry);
      const key = lastWord.slice(0, STEM_KEY);
      const lengths = node.stemIndex.get(key) ?? [];
      if (!lengths.includes(lastWord.length)) lengths.push(lastWord.length);
      lengths.sort((a, b) => b - a);
      node.stemIndex.set(key, lengths);
    } else {
      node.next ??= new Map();
      let child = node.next.get(lastWord);
      if (!child) {
        child = newNode();
        node.next.set(lastWord, child);
      }
      child.entries = mergeEntry(child.entries, entry);
    }
  };


  const iran = lexicon.iran;
  for (const name of iran.names) add(name, { kind: 'iran', canonical: iran.canonical, named: false });
  for (const name of iran.demonyms) add(name, { kind: 'iran', canonical: iran.canonical, named: false });
  for (const name of [iran.capital.name, ...iran.capital.variants]) {
    add(name, { kind: 'iran', canonical: iran.canonical, named: false, place: iran.capital.name });
  }
  for (const actor of [...iran.institutions, ...iran.people]) {
    for (const name of [actor.name, ...actor.variants]) add(name, { kind: 'iran', canonical: actor.name, named: true });
  }

  for (const state of lexicon.states) {
    const country = { kind: 'latam', state: state.name, canonical: state.name, named: false } as const;
    for (const name of [...state.names, ...state.demonyms]) add(name, country);
    for (const name of [state.capital.name, ...state.capital.variants]) add(name, { ...country, place: state.capital.name });
    for (const city of state.cities) add(city, { ...country, place: city });
    for (const person of state.people) {
      for (const name of [person.name, ...person.variants]) add(name, { kind: 'latam', state: state.name, canonical: person.name, named: true });
    }
  }

  // Offices without a name, from templates over each side's demonyms and names.
  const sides = [
    { canonical: iran.canonical, names: iran.names, demonyms: iran.demonyms, entry: (c: string): TermEntry => ({ kind: 'iran', canonical: c, named: true, role: true }) },
    ...lexicon.states.map((state) => ({
      canonical: state.name, names: state.names, demonyms: state.demonyms,
      entry: (c: string): TermEntry => ({ kind: 'latam', state: state.name, canonical: c, named: true, role: true }),
    })),
  ];
  for (const role of lexicon.roles) {
    const templates = [...role.en, ...role.es, ...role.pt];
    for (const side of sides) {
      const entry = side.entry(role.canonical.replaceAll('{state}', side.canonical));
      for (const template of templates) {
        const fillers = template.includes('{d}') ? side.demonyms : side.names;
        for (const filler of fillers) add(template.replace(/\{[dn]\}/, filler), entry);
      }
    }
  }

  if (lexicon.region) {
    for (const name of lexicon.region.terms) add(name, { kind: 'region', canonical: lexicon.region.canonical });
  }
  for (const [event, group] of Object.entries(lexicon.cues) as Array<[EventType, (typeof lexicon.cues)[EventType]]>) {
    if (!group) continue;
    for (const lang of ['en', 'es', 'pt'] as const) {
      for (const cue of group[lang]) add(cue, { kind: 'cue', event, weight: group.weight });
    }
  }
  const negatives = new Map<string, NegativeRule>();
  for (const [kind, group] of Object.entries(lexicon.negatives)) {
    negatives.set(kind, { per: group.per, cap: group.cap, sentence: group.sentence });
    for (const lang of ['en', 'es', 'pt'] as const) {
      for (const word of group[lang]) add(word, { kind: 'negative', negative: kind });
    }
  }
  for (const marker of lexicon.relatedMarkers) add(marker, { kind: 'related' });
  for (const lang of ['en', 'es', 'pt'] as const) for (const word of lexicon.domestic[lang]) add(word, { kind: 'domestic' });
  for (const word of lexicon.ignore) add(word, { kind: 'ignore' });
  // Mark where the place names that are also common words end, once every term is in the trie.
  for (const phrase of lexicon.cased) {
    let node: TrieNode | undefined = root;
    for (const token of tokenize(phrase)) node = node?.next?.get(token.norm);
    if (node) node.cased = true;
  }

  return {
    id: lexicon.id,
    name: lexicon.name,
    iranCanonical: iran.canonical,
    negatives,
    termCount: seen.size,
    match: (text, from = 0, to = text.length) => matchTokens(root, tokenize(text, from, to), text),
  };
}

function pushEntry(map: Map<string, TermEntry[]>, key: string, entry: TermEntry): void {
  map.set(key, mergeEntry(map.get(key), entry));
}

// A term listed twice for the same thing (e.g. "Havana" in two lists) must not count twice.
function mergeEntry(list: TermEntry[] | undefined, entry: TermEntry): TermEntry[] {
  if (!list) return [entry];
  const key = JSON.stringify(entry);
  if (list.some((e) => JSON.stringify(e) === key)) return list;
  return [...list, entry];
}

// Words repeat from article to article, and most are checked against the root's stems: remember the
// answer per word. Bounded, so unusual words cannot grow it without limit.
const STEM_MEMO_MAX = 50_000;

function stemEntries(node: TrieNode, word: string): TermEntry[] | undefined {
  if (!node.stems || !node.stemIndex) return undefined;
  const memo = node.stemMemo;
  const known = memo?.get(word);
  if (known !== undefined) return known ?? undefined;
  let found: TermEntry[] | null = null;
  for (const length of node.stemIndex.get(word.slice(0, STEM_KEY)) ?? NONE) {
    if (length > word.length) continue;
    const entries = node.stems.get(word.slice(0, length));
    if (entries) {
      found = entries;
      break;
    }
  }
  if (memo) {
    if (memo.size >= STEM_MEMO_MAX) memo.clear();
    memo.set(word, found);
  }
  return found ?? undefined;
}

const UPPER_START = /^\p{Lu}/u;

// What the root knows about a word: the stems it matches and the child node it opens (null: neither).
interface RootStep {
  stems: TermEntry[] | undefined;
  child: TrieNode | undefined;
}
const rootSteps = new WeakMap<TrieNode, Map<string, RootStep | null>>();

// Most words of an article start no term: one memoized lookup per word answers both questions the root
// asks (a stem? a child?), so those words cost a single hash lookup.
function rootStep(root: TrieNode, word: string): RootStep | null {
  let memo = rootSteps.get(root);
  if (!memo) {
    memo = new Map();
    rootSteps.set(root, memo);
  }
  const known = memo.get(word);
  if (known !== undefined) return known;
  const stems = stemEntries(root, word);
  const child = root.next?.get(word);
  const step = stems || child ? { stems, child } : null;
  if (memo.size >= STEM_MEMO_MAX) memo.clear();
  memo.set(word, step);
  return step;
}

function matchTokens(root: TrieNode, tokens: Token[], text: string): TermHit[] {
  const hits: TermHit[] = [];
  const memo = rootSteps.get(root);
  let i = 0;
  while (i < tokens.length) {
    const firstWord = (tokens[i] as Token).norm;
    const known = memo?.get(firstWord);
    const step = known !== undefined ? known : rootStep(root, firstWord);
    if (step === null) {
      i++;
      continue;
    }
    let node: TrieNode | undefined = root;
    let bestEnd = -1;
    let bestEntries: TermEntry[] | undefined;
    for (let j = i; node && j < tokens.length; j++) {
      const token = tokens[j] as Token;
      if (j > i && !token.joined) break;
      const stemmed = j === i ? step.stems : stemEntries(node, token.norm);
      if (stemmed) {
        bestEnd = j;
        bestEntries = stemmed;
      }
      node = j === i ? step.child : node.next?.get(token.norm);
      // "la asunción de Ortega" (inauguration) is not Asunción; "la paz" (peace) is not La Paz.
      if (node?.entries && (!node.cased || UPPER_START.test(text[token.start] as string))) {
        bestEnd = j;
        bestEntries = node.entries;
      }
    }
    if (bestEntries) {
      const first = tokens[i] as Token;
      const last = tokens[bestEnd] as Token;
      if (!bestEntries.some((e) => e.kind === 'ignore')) hits.push({ entries: bestEntries, start: first.start, end: last.end });
      i = bestEnd + 1;
    } else {
      i++;
    }
  }
  return hits;
}
