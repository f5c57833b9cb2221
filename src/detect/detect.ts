import { findDate } from './dates.js';
import { foldCase } from './normalize.js';
import { splitSentences, type Section } from './sentences.js';
import type { TermEntry, TermHit, Topic } from './topic.js';
import type { DetectInput, EventSignature, EventType, Reason, Verdict } from './types.js';

/** Options of `detect`. */
export interface DetectOptions {
  /** Score at or above which the article matches (config `detect.threshold`). @defaultValue 0.5 */
  threshold?: number;
}

/** Default of `DetectOptions.threshold`, the same as the config schema's `detect.threshold`. */
export const DEFAULT_THRESHOLD = 0.5;

// Strength of one piece of evidence before position weighting. A pair of parties with a diplomacy cue in
// one sentence of the lead is enough on its own; the same sentence deep in the body is not.
const BASE = {
  titlePairCue: 0.7,
  titlePair: 0.4,
  pairCue: 0.62,
  pairNearbyCue: 0.45,
  pair: 0.22,
  adjacentPairCue: 0.55,
  adjacentLoose: 0.3,
} as const;
// How much evidence counts by where it stands. The body fades from 0.8 to 0.6 towards the end; the last
// paragraph of a longer text, headline-like lines and "Related:" lines are where page chrome survives
// Readability, so they count little.
const POSITION = { title: 1, lead: 1, bodyTop: 0.8, bodyDrop: 0.2, tail: 0.35, headline: 0.15, related: 0.05 } as const;
// A "Latin America" / "Caribbean" side names no state: weaker than a state or its officials.
const REGION_ONLY = 0.6;
// Country names and adjectives alone ("Iranian and Venezuelan crude") are how co-mentions read; a named
// official on either side is how diplomacy reads.
const BARE_NAMES = 0.8;
// Without any diplomacy cue next to a pair, the article is at most a co-mention.
const NO_CUE = 0.6;
// Negative words weigh half when the strongest evidence has named officials of both sides.
const NAMED_PENALTY = 0.5;
// The k-th occurrence of the same rule counts 0.5^k, and at most this many count: passing mentions
// repeated ten times do not add up to a story.
const PER_RULE_CAP = 3;
const REPEAT_DECAY = 0.5;
// When neither the title nor the lead names a side, the pair is likely a digression from another subject.
const FOCUS = { both: 1, one: 0.8, none: 0.5 } as const;
const SPAN_MAX = 200;
// The negative kind whose words name third powers (China, Russia, the US…).
const OTHER_POWER = 'other-power';
const MAX_REASONS = 6;
const MAX_ACTORS = 3;
// Cue types in the order one is chosen when a sentence has several ("expelled the ambassador" is a row,
// "arrived in Havana and met…" a visit), and the tie-break of the signature's event vote.
const EVENT_PRIORITY: readonly EventType[] = ['row', 'call', 'visit', 'agreement', 'embassy', 'meeting', 'statement'];

interface Unit {
  source: string;
  start: number;
  end: number;
  section: Section;
  paragraph: number;
  headline: boolean;
  related: boolean;
  /** How much evidence found here counts, 0..1. */
  position: number;
  hits: TermHit[];
  iran: Array<{ hit: TermHit; entry: Extract<TermEntry, { kind: 'iran' }> }>;
  latam: Array<{ hit: TermHit; entry: Extract<TermEntry, { kind: 'latam' }> }>;
  region: boolean;
  cues: Array<{ hit: TermHit; entry: Extract<TermEntry, { kind: 'cue' }> }>;
  /**
   * Product of the `sentence` factors of the negative kinds found here: a sentence that also names a
   * third power, a match or an oil price is often about that instead.
   */
  discount: number;
}

interface Evidence {
  rule: string;
  /** Rule family for the per-rule cap, without the cue type. */
  family: string;
  unit: Unit;
  event: EventType | undefined;
  /** The hits that make the span worth showing. */
  focus: TermHit[];
  effective: number;
  /** A named official or institution of each side is in the evidence. */
  named: boolean;
}

/**
 * Decides whether an article reports diplomacy between Iran and a Latin American or Caribbean state. Pure:
 * the same input, topic and options always give the same verdict. The score is 0..1; `reasons` say which
 * sentences carried it, and `signature` says what event, where and when, for story clustering.
 */
export function detect(input: DetectInput, topic: Topic, options: DetectOptions = {}): Verdict {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const dateline = datelineOf(input.text, topic);
  const units = buildUnits(input, topic, dateline?.state);
  const evidence = collectEvidence(units);
  const kept = capPerRule(evidence);
  let positive = 1 - kept.reduce((rest, e) => rest * (1 - e.effective), 1);
  if (!kept.some((e) => e.event)) positive *= NO_CUE;
  const focus = focusFactor(units);
  const negatives = negativePenalties(units, topic, kept[0]?.named ? NAMED_PENALTY : 1);
  const penalty = negatives.reduce((sum, n) => sum + n.penalty, 0);
  const score = round(clamp(positive * focus - penalty));

  const reasons: Reason[] = kept.slice(0, MAX_REASONS).map((e) => ({
    rule: e.rule,
    span: spanOf(e.unit, e.focus),
    weight: round(e.effective * focus),
  }));
  for (const n of negatives) reasons.push({ rule: `negative:${n.kind}`, span: n.span, weight: -round(n.penalty) });

  return { match: score >= threshold, score, reasons, signature: signatureOf(kept, units, topic, input, dateline) };
}

function buildUnits(input: DetectInput, topic: Topic, home: string | undefined): Unit[] {
  const units: Unit[] = [];
  if (input.title.trim() !== '') {
    units.push(makeUnit(topic, input.title, 0, input.title.length, 'title', -1, false, POSITION.title, home));
  }
  for (const s of splitSentences(input.text)) {
    const position = s.headline
      ? POSITION.headline
      : s.section === 'lead'
        ? POSITION.lead
        : s.section === 'tail'
          ? POSITION.tail
          : POSITION.bodyTop - POSITION.bodyDrop * s.depth;
    units.push(makeUnit(topic, input.text, s.start, s.end, s.section, s.paragraph, s.headline, position, home));
  }
  return units;
}

function makeUnit(
  topic: Topic,
  source: string,
  start: number,
  end: number,
  section: Section,
  paragraph: number,
  headline: boolean,
  position: number,
  home: string | undefined,
): Unit {
  const hits = topic.match(source, start, end);
  const unit: Unit = {
    source, start, end, section, paragraph, headline, related: false, position, hits,
    iran: [], latam: [], region: false, cues: [], discount: 1,
  };
  const negativeKinds = new Set<string>();
  for (const hit of hits) {
    for (const entry of hit.entries) {
      switch (entry.kind) {
        case 'iran':
          unit.iran.push({ hit, entry });
          break;
        case 'latam':
          unit.latam.push({ hit, entry });
          break;
        case 'region':
          unit.region = true;
          break;
        case 'cue':
          unit.cues.push({ hit, entry });
          break;
        case 'negative':
          negativeKinds.add(entry.negative);
          break;
        case 'domestic':
          // "BUENOS AIRES — La Cámara de Diputados…": the Congress is Argentina's.
          if (home) unit.latam.push({ hit, entry: { kind: 'latam', state: home, canonical: home, named: true, role: true } });
          break;
        case 'related':
          // Only a marker at the start of the line ("Related: …", "Leia também") introduces a link.
          if (hit.start - start <= 2) unit.related = true;
          break;
        case 'ignore':
          break;
      }
    }
  }
  for (const kind of negativeKinds) unit.discount *= topic.negatives.get(kind)?.sentence ?? 1;
  if (unit.related) unit.position = Math.min(unit.position, POSITION.related);
  return unit;
}

function collectEvidence(units: Unit[]): Evidence[] {
  const out: Evidence[] = [];
  units.forEach((unit, i) => {
    const prev = neighbour(units, i, -1);
    const next = neighbour(units, i, 1);
    const hasIran = unit.iran.length > 0;
    const hasLatam = unit.latam.length > 0 || unit.region;
    if (hasIran && hasLatam) {
      const title = unit.section === 'title';
      const same = bestCue(unit.cues);
      const nearby = title ? undefined : bestCue([...(prev?.cues ?? []), ...(next?.cues ?? [])]);
      let strength: number;
      let family: string;
      let event: EventType | undefined;
      if (same) {
        strength = (title ? BASE.titlePairCue : BASE.pairCue) * same.weight;
        family = title ? 'title-pair+cue' : 'pair+cue';
        event = same.event;
      } else if (nearby) {
        strength = BASE.pairNearbyCue * nearby.weight;
        family = 'pair+nearby-cue';
        event = nearby.event;
      } else {
        strength = title ? BASE.titlePair : BASE.pair;
        family = title ? 'title-pair' : 'pair';
      }
      if (unit.latam.length === 0) strength *= REGION_ONLY;
      const iranNamed = unit.iran.some((x) => x.entry.named);
      const latamNamed = unit.latam.some((x) => x.entry.named);
      const named = iranNamed && latamNamed;
      if (!iranNamed && !latamNamed) strength *= BARE_NAMES;
      // Officials of both sides in one sentence are parties to something, whatever else it mentions.
      if (!named) strength *= unit.discount;
      const focus = [...unit.iran.map((x) => x.hit), ...unit.latam.map((x) => x.hit), ...unit.cues.map((x) => x.hit)];
      out.push({ ...evidenceOf(family, event, unit, strength, focus), named });
      return;
    }
    // The two sides in consecutive sentences of one paragraph, with a cue in either.
    if (next && (hasIran || hasLatam)) {
      const nextIran = next.iran.length > 0;
      const nextLatam = next.latam.length > 0;
      const pairs = (hasIran && nextLatam && !hasLatam) || (unit.latam.length > 0 && nextIran && !hasIran);
      const cue = bestCue([...unit.cues, ...next.cues]);
      if (pairs && cue) {
        const both = mergeUnits(unit, next);
        // Across a sentence break, bare country names ("Iran… Brazil and Mexico…") are too loose a link:
        // one side must be a named official or institution, or a capital where something happens.
        const anchored = [...both.iran, ...both.latam].some((x) => x.entry.named || x.entry.place !== undefined);
        let strength = (anchored ? BASE.adjacentPairCue : BASE.adjacentLoose) * cue.weight;
        strength *= both.discount;
        const focus = [...both.iran, ...both.latam, ...both.cues].map((x) => x.hit);
        out.push(evidenceOf('adjacent-pair+cue', cue.event, both, strength, focus));
      }
    }
  });
  return out;
}

// Two consecutive sentences of one paragraph read as one unit, for the span and the signature.
function mergeUnits(a: Unit, b: Unit): Unit {
  return {
    ...a,
    end: b.end,
    position: Math.min(a.position, b.position),
    hits: [...a.hits, ...b.hits],
    iran: [...a.iran, ...b.iran],
    latam: [...a.latam, ...b.latam],
    region: a.region || b.region,
    cues: [...a.cues, ...b.cues],
    discount: Math.min(a.discount, b.discount),
  };
}

function evidenceOf(family: string, event: EventType | undefined, unit: Unit, strength: number, focus: TermHit[]): Evidence {
  return {
    rule: event ? `${family}:${event}` : family,
    family,
    unit,
    event,
    focus,
    effective: strength * unit.position,
    named: false,
  };
}

function neighbour(units: Unit[], i: number, step: -1 | 1): Unit | undefined {
  const unit = units[i];
  const other = units[i + step];
  if (!unit || !other || unit.section === 'title' || other.section === 'title') return undefined;
  return other.paragraph === unit.paragraph ? other : undefined;
}

function bestCue(cues: Unit['cues']): { event: EventType; weight: number } | undefined {
  let best: { event: EventType; weight: number } | undefined;
  for (const { entry } of cues) {
    if (!best || EVENT_PRIORITY.indexOf(entry.event) < EVENT_PRIORITY.indexOf(best.event)) {
      best = { event: entry.event, weight: entry.weight };
    }
  }
  return best;
}

function capPerRule(evidence: Evidence[]): Evidence[] {
  const sorted = [...evidence].sort((a, b) => b.effective - a.effective);
  const counts = new Map<string, number>();
  const kept: Evidence[] = [];
  for (const e of sorted) {
    const k = counts.get(e.family) ?? 0;
    if (k >= PER_RULE_CAP) continue;
    counts.set(e.family, k + 1);
    kept.push({ ...e, effective: e.effective * REPEAT_DECAY ** k });
  }
  return kept.sort((a, b) => b.effective - a.effective);
}

function focusFactor(units: Unit[]): number {
  let iran = false;
  let latam = false;
  for (const u of units) {
    if (u.section !== 'title' && u.section !== 'lead') continue;
    if (u.headline || u.related) continue;
    iran ||= u.iran.length > 0;
    latam ||= u.latam.length > 0 || u.region;
  }
  return iran && latam ? FOCUS.both : iran || latam ? FOCUS.one : FOCUS.none;
}

interface Penalty {
  kind: string;
  penalty: number;
  span: string;
}

function negativePenalties(units: Unit[], topic: Topic, scale: number): Penalty[] {
  // kind → distinct word → the strongest place it appeared
  const found = new Map<string, Map<string, { weight: number; unit: Unit; hit: TermHit }>>();
  for (const unit of units) {
    const weight = unit.section === 'title' || unit.section === 'lead' ? 1 : unit.section === 'tail' || unit.headline ? 0.3 : 0.6;
    for (const hit of unit.hits) {
      for (const entry of hit.entries) {
        if (entry.kind !== 'negative') continue;
        const words = found.get(entry.negative) ?? new Map<string, { weight: number; unit: Unit; hit: TermHit }>();
        found.set(entry.negative, words);
        const word = foldCase(unit.source.slice(hit.start, hit.end));
        const before = words.get(word);
        if (!before || before.weight < weight) words.set(word, { weight, unit, hit });
      }
    }
  }
  const out: Penalty[] = [];
  for (const [kind, words] of found) {
    const rule = topic.negatives.get(kind);
    if (!rule) continue;
    let sum = 0;
    let strongest: { weight: number; unit: Unit; hit: TermHit } | undefined;
    for (const w of words.values()) {
      sum += w.weight;
      if (!strongest || w.weight > strongest.weight) strongest = w;
    }
    let penalty = Math.min(rule.cap, rule.per * sum) * scale;
    // Stories about Iran in Latin America name Washington or Moscow in passing; a third power only
    // counts against the story as far as it outweighs the Iranian side.
    if (kind === OTHER_POWER) penalty *= dominance(units);
    if (penalty > 0 && strongest) {
      const hitsInUnit = [...words.values()].filter((w) => w.unit === strongest.unit).map((w) => w.hit);
      out.push({ kind, penalty, span: spanOf(strongest.unit, hitsInUnit) });
    }
  }
  return out.sort((a, b) => b.penalty - a.penalty);
}

function dominance(units: Unit[]): number {
  let other = 0;
  let iran = 0;
  for (const unit of units) {
    iran += unit.iran.length;
    for (const hit of unit.hits) if (hit.entries.some((e) => e.kind === 'negative' && e.negative === OTHER_POWER)) other++;
  }
  return other + iran === 0 ? 0 : other / (other + iran);
}

type Place = { name: string; state: string | undefined };

function signatureOf(kept: Evidence[], units: Unit[], topic: Topic, input: DetectInput, dateline: Place | undefined): EventSignature {
  const top = kept[0];
  if (!top) return { iranActors: [], latamStates: [] };
  const strong = kept.filter((e) => e.effective >= top.effective * 0.5);
  const heads = units.filter((u) => (u.section === 'title' || u.section === 'lead') && !u.related);

  // Officials are often named in the sentence before or after the one that pairs the two sides, so look
  // at every piece of evidence, then the title and the lead. An office without a name ("Iran's foreign
  // minister") stands in only when no person of that side is named.
  const nameSources = [...strong, ...kept].map((e) => e.unit).concat(heads);
  const named = nameSources.flatMap((u) => u.iran.filter((x) => x.entry.named).map((x) => x.entry));
  const people = named.filter((x) => !x.role);
  // Among offices, "the Iranian government" (the state itself) yields to a more specific one.
  const offices = named.filter((x) => x.canonical !== topic.iranCanonical);
  const iranActors = unique((people.length > 0 ? people : offices.length > 0 ? offices : named).map((x) => x.canonical)).slice(0, MAX_ACTORS);
  if (iranActors.length === 0) {
    const counts = new Map<string, number>();
    for (const u of units) for (const x of u.iran) if (x.entry.named) counts.set(x.entry.canonical, (counts.get(x.entry.canonical) ?? 0) + 1);
    const most = [...counts].sort((a, b) => b[1] - a[1])[0];
    iranActors.push(most ? most[0] : topic.iranCanonical);
  }

  const signature: EventSignature = { iranActors, latamStates: [] };
  const event = eventOf(kept);
  if (event) signature.eventType = event;

  // The place follows the sentence that reports the event: "arrived in Havana" gives Havana, even when an
  // earlier stop (Caracas) is named in the same article. A capital standing for its government ("the
  // pact La Paz signed") is not a place; the dateline city is the place when the text names no other.
  let place = placeIn(top.unit);
  // "flew from Venezuela to Nicaragua": the state left behind is not where the event happens.
  const notOrigin = (x: Unit['latam'][number]): boolean =>
    !ORIGIN.test(foldCase(top.unit.source.slice(Math.max(top.unit.start, x.hit.start - 16), x.hit.start)));
  let states = unique(top.unit.latam.filter((x) => (!x.entry.place || x.entry.named) && notOrigin(x)).map((x) => x.entry.state));
  if (states.length === 0) states = unique(strong.flatMap((e) => e.unit.latam.map((x) => x.entry.state)));
  if (!place) {
    for (const e of strong) {
      const candidate = placeIn(e.unit);
      if (candidate && (candidate.state === undefined || states.includes(candidate.state))) {
        place = candidate;
        break;
      }
    }
  }
  place ??= dateline;
  if (place) {
    signature.place = place.name;
    if (place.state) states = unique([place.state, ...states]);
  }
  // Every state the article makes a party: named officials or offices in the evidence, the title and
  // the lead, states named in the headline, and the dateline's country. Cities named as earlier stops of
  // a tour are places, not parties, so they do not add their state.
  const parties = [
    ...[...strong.map((e) => e.unit), ...heads].flatMap((u) => u.latam.filter((x) => x.entry.named).map((x) => x.entry.state)),
    ...units.filter((u) => u.section === 'title').flatMap((u) => u.latam.filter((x) => !x.entry.place).map((x) => x.entry.state)),
  ];
  if (dateline?.state) parties.push(dateline.state);
  signature.latamStates = unique([...states, ...parties]);

  const dateSources = [...strong.map((e) => e.unit), ...heads];
  for (const unit of dateSources) {
    const date = findDate(unit.source.slice(unit.start, unit.end), input.publishedAt);
    if (date) {
      signature.date = date;
      break;
    }
  }
  return signature;
}

// "BUENOS AIRES —", "CARACAS, Venezuela (Wire) —", "TEHERÁN (EFE) -": a city in capitals, an optional
// country and agency, then a dash, at the very start of the text.
const DATELINE = /^\s*([\p{Lu}][\p{Lu}\p{M} .'’-]{2,40}?)(?:,\s*[\p{L} .]{2,30})?\s*(?:\([^)]{1,30}\))?\s*[—–-]{1,2}\s/u;

function datelineOf(text: string, topic: Topic): Place | undefined {
  const m = DATELINE.exec(text.slice(0, 90));
  if (!m?.[1]) return undefined;
  for (const hit of topic.match(m[1])) {
    for (const entry of hit.entries) {
      if (entry.kind === 'latam' && entry.place) return { name: entry.place, state: entry.state };
      if (entry.kind === 'iran' && entry.place) return { name: entry.place, state: undefined };
    }
  }
  return undefined;
}

// Each cue type in the evidence votes with the evidence's weight; the headline votes more, and the
// generic types (talks, ties) less, so "signed … during the visit" in a story about the visit stays a visit.
const EVENT_BIAS: Record<EventType, number> = { visit: 1, call: 1, agreement: 1, embassy: 1, row: 1, meeting: 0.8, statement: 0.5 };
const TITLE_VOTE = 2;

function eventOf(kept: Evidence[]): EventType | undefined {
  const votes = new Map<EventType, number>();
  for (const e of kept) {
    const types = new Set(e.unit.cues.map((c) => c.entry.event));
    if (e.event) types.add(e.event);
    for (const type of types) {
      const vote = e.effective * EVENT_BIAS[type] * (e.unit.section === 'title' ? TITLE_VOTE : 1);
      votes.set(type, (votes.get(type) ?? 0) + vote);
    }
  }
  let best: EventType | undefined;
  for (const type of EVENT_PRIORITY) {
    const vote = votes.get(type) ?? 0;
    if (vote > 0 && (best === undefined || vote > (votes.get(best) ?? 0))) best = type;
  }
  return best;
}

const ORIGIN = /(?:^|\s)(?:from|desde|procedente de|vindo do|vindo da|vinda do|vinda da)\s+$/;

// Words after which a capital is where something happens, not the government it stands for.
const LOCATIVE = /(?:^|[\s(,])(?:in|at|to|into|en|em|no|na|a|para|hacia|arrived in|landed in|llego a|chegou a)\s+$/;

function placeIn(unit: Unit): { name: string; state: string | undefined } | undefined {
  const places: Array<{ at: number; name: string; state: string | undefined }> = [];
  for (const { hit, entry } of unit.iran) if (entry.place) places.push({ at: hit.start, name: entry.place, state: undefined });
  for (const { hit, entry } of unit.latam) if (entry.place) places.push({ at: hit.start, name: entry.place, state: entry.state });
  if (places.length === 0) return undefined;
  places.sort((a, b) => a.at - b.at);
  // "in Havana", "en Managua", "arrived in Caracas" say where; "alliance with Tehran" does not.
  const located = places.filter((p) => LOCATIVE.test(foldCase(unit.source.slice(Math.max(unit.start, p.at - 12), p.at))));
  // Prefer the place right after a visit cue ("arrived in X", "llegó a X"), then after any cue.
  for (const wanted of ['visit', undefined] as const) {
    const cueStarts = unit.cues.filter((c) => wanted === undefined || c.entry.event === wanted).map((c) => c.hit.start);
    let best: { distance: number; place: (typeof places)[number] } | undefined;
    for (const p of located) {
      for (const at of cueStarts) {
        const distance = p.at - at;
        if (distance > 0 && (!best || distance < best.distance)) best = { distance, place: p };
      }
    }
    if (best) return best.place;
  }
  return located[0];
}

/** The sentence, whitespace collapsed, cut to about SPAN_MAX characters around the evidence. */
function spanOf(unit: Unit, focus: TermHit[]): string {
  const text = unit.source.slice(unit.start, unit.end);
  if (text.length <= SPAN_MAX) return collapse(text);
  const [from, to] = focusWindow(unit, focus);
  // Centre the window on the evidence, then cut at word boundaries so the span reads well.
  const middle = (from + to) / 2 - unit.start;
  let start = Math.max(0, Math.round(middle - SPAN_MAX / 2));
  let end = Math.min(text.length, start + SPAN_MAX);
  start = Math.max(0, end - SPAN_MAX);
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  return `${start > 0 ? '…' : ''}${collapse(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

// The closest Iranian–Latin American pair of hits, widened to the nearest cue when it still fits.
function focusWindow(unit: Unit, focus: TermHit[]): [number, number] {
  let best: [number, number] | undefined;
  for (const a of unit.iran) {
    for (const b of unit.latam) {
      const window: [number, number] = [Math.min(a.hit.start, b.hit.start), Math.max(a.hit.end, b.hit.end)];
      if (!best || window[1] - window[0] < best[1] - best[0]) best = window;
    }
  }
  if (!best) {
    const inside = focus.filter((h) => h.start >= unit.start && h.end <= unit.end);
    const first = inside[0];
    return first ? [first.start, first.end] : [unit.start, unit.start];
  }
  let cueWindow: [number, number] | undefined;
  for (const { hit } of unit.cues) {
    const widened: [number, number] = [Math.min(best[0], hit.start), Math.max(best[1], hit.end)];
    if (widened[1] - widened[0] <= SPAN_MAX - 20 && (!cueWindow || widened[1] - widened[0] < cueWindow[1] - cueWindow[0])) cueWindow = widened;
  }
  return cueWindow ?? best;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function clamp(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
